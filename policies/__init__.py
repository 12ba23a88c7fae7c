"""hlz-hipaa policy pack: HIPAA Security Rule guardrails for the Azure landing zone and AI lab.

Layout (each module is importable without starting the gRPC server):

- ``model``       outcome types, ``ResourceRule`` / ``StackRule`` metadata, ``StackResource``.
- ``props``       defensive readers for camelCase wire inputs (missing keys, wrong types).
- ``services``    the catalogue: one row per azure-native type (ARM path, names, private link,
                  diagnostics decision) that the rules and the offline engine read.
- ``rules/``      the pure check functions, one small themed module per Azure service.
- ``registry``    the one list of every rule (``ALL_RULES``).
- ``evaluation``  ``evaluate`` / ``evaluate_stack`` / ``evaluate_plan`` for in-process use.
- ``exemptions``  exemptions-as-data (``exemptions.yaml``) loader and matcher.
- ``profiles``    the ``lab`` / ``production`` pack configurations (``config/*.json``).
- ``adapter``     turns rules into ``pulumi_policy`` policies.
- ``sdk_catalog`` derives the taggable resource types from the installed azure-native SDK.

``RULES.md``, ``config/*.json`` and ``taggable_types.json`` are generated from these modules by
``tools/docs.py`` (``make docs``; ``make docs-check`` for CI), outside the pack.

``__main__.py`` only builds the ``PolicyPack``; it is what
``pulumi preview --policy-pack policies`` runs.
"""
