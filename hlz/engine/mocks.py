"""``ArmMocks``: the offline plan's answers to resource registrations and invokes, the way
Azure and Pulumi would give them (ARM ids, computed outputs, a fixed fake subscription and
tenant), so a program that reads an id or a principal back runs as it would on ``pulumi up``.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from hlz.engine import sdk_internals as sdk
from hlz.engine.arm_ids import arm_id, auto_name, computed_outputs, fake_guid, identity_outputs

DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001"
DEFAULT_TENANT_ID = "00000000-0000-4000-8000-0000000000aa"


class ArmMocks(Mocks):
    """Answers resource registrations and invokes the way Azure and Pulumi would."""

    def __init__(
        self,
        subscription_id: str,
        tenant_id: str,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
        preview: bool = False,
    ):
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.stack_outputs = stack_outputs or {}
        self.preview = preview
        self.subnet_prefixes: dict[str, str] = {}
        self.created: list[str] = []
        """Type of every resource the mocks were asked to create, in order."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == "pulumi:pulumi:StackReference":
            name = str(args.inputs.get("name") or args.name)
            short = name.rsplit("/", 1)[-1]
            if short not in self.stack_outputs:
                raise KeyError(f"stack reference {name!r}: stack {short!r} was not planned")
            return name, {
                "name": name,
                "outputs": self.stack_outputs[short],
                "secretOutputNames": [],
            }
        self.created.append(args.typ)
        inputs = dict(args.inputs)
        # Without an explicit name the provider auto-names from the logical name.
        fallback = auto_name(args.name, f"{args.typ}::{args.name}")
        resource_id, name = arm_id(args.typ, inputs, self.subscription_id, fallback)
        if self.preview:
            # As in a first `pulumi preview`: the provider knows the inputs and the name it
            # will use, but the id and every output Azure computes stay unknown.
            state = {
                **inputs,
                "name": name,
                **identity_outputs(name, inputs.get("identity"), self.tenant_id, computed=False),
            }
            if "SystemAssigned" in str(state.get("identity", {}).get("type", "")):
                # Azure creates the principal with the resource: unknown until then.
                state["identity"] = {**state["identity"], "principalId": sdk.UNKNOWN}
            return None, state
        if args.typ == "azure-native:network:Subnet" and inputs.get("addressPrefix"):
            self.subnet_prefixes[resource_id] = inputs["addressPrefix"]
        state = {**inputs, "name": name}
        state.update(computed_outputs(args.typ, name, inputs, self.tenant_id, self.subnet_prefixes))
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "subscriptionId": self.subscription_id,
                "tenantId": self.tenant_id,
                "clientId": fake_guid("client", "hlz-plan"),
                "objectId": fake_guid("object", "hlz-plan"),
            }, []
        raise NotImplementedError(f"hlz plan has no offline answer for invoke {args.token}")


__all__ = ["DEFAULT_SUBSCRIPTION_ID", "DEFAULT_TENANT_ID", "ArmMocks"]
