"""The offline engine: a stack's real program run under Pulumi mocks, every registration recorded.

- ``run``            ``run_program``: the program as the Pulumi engine would run it, under mocks.
- ``mocks``          ``ArmMocks``: answers registrations and invokes as Azure would (fake ids).
- ``recording``      ``RecordingMonitor``: keeps the wire inputs of each registration.
- ``arm_ids``        realistic ARM ids and the outputs Azure computes.
- ``sdk_internals``  every touch of the Pulumi SDK beyond its program API.

Importing the package loads none of them: ``stacks.common`` reads its config through
``sdk_internals`` on the ``pulumi up`` path, which must not pay for the mocks.
"""
