"""Every azure-native type the stacks create is wired into every place a new service must touch.

A new Azure service takes edits in several files (docs/adding-a-service.md lists them in
order); these tests name the type and the missing piece when one is forgotten, for every type
the four example stacks and the insecure fixture plan:

- a row in the catalogue (``policies.services.SERVICES``);
- an ARM path in that row (validated for the types the example stacks create): the offline
  engine builds ids from it, the pack recognises generic resources by it, the type validation
  knows which definition to read;
- preflight's checks (``hlz.preflight.target``, derived from the plan, so true by
  construction unless the derivation drops a type): the provider and a write action of every
  type an example stack deploys;
- a diagnostics decision in that row: ``Logged`` (where the setting goes) or ``NotLogged``
  (why none is needed);
- a rule that judges its configuration (``Rule.judges``), or an entry below in
  ``JUDGED_ONLY_BY_RELATIONS`` saying why none does.

tests/policies/test_service_catalogue.py checks that the rows agree with the tables they point
into.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from hlz.engine.arm_ids import UnknownArmTypeError, arm_id
from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID
from hlz.engine.recording import Registration
from hlz.plan import Plan
from hlz.preflight.target import stack_target
from hlz.stackfiles import load_stack_file, project_root
from policies.arm_types import ARM_PATHS, GENERIC_RESOURCE, arm_path, arm_type
from policies.normalise import generic_arm_type, normalise
from policies.registry import ALL_RULES
from policies.rules.tokens import RESOURCE_GROUP
from policies.services import SERVICES, Logged, NotLogged
from tests.conftest import PLANNER, planned
from tests.fixtures.insecure_stack import insecure_plan

EXAMPLE_STACKS = ("lz-dev", "lz-prod", "lab-dev", "lab-prod")

JUDGED_ONLY_BY_RELATIONS: dict[str, str] = {
    "azure-native:apimanagement:ApiPolicy": (
        "judged as the token validation its API must have (apim-api-require-token-validation)"
    ),
    "azure-native:apimanagement:ApiOperation": (
        "a route of its API; the API's policy (apim-api-require-token-validation) applies to "
        "every operation"
    ),
    "azure-native:authorization:ManagementLockByScope": (
        "judged as the lock a vault, workspace or resource group must have "
        "(governance-resource-require-delete-lock)"
    ),
    "azure-native:monitor:PrivateLinkScopedResource": (
        "the link between the private link scope and the workspace; the workspace's "
        "public-access rules judge why it is needed"
    ),
    "azure-native:network:VirtualNetworkPeering": (
        "carries no security setting of its own; hub and spoke rules judge the networks"
    ),
    "azure-native:network:RouteTable": (
        "judged through the subnets it routes (default route to the firewall)"
    ),
    "azure-native:network:DdosProtectionPlan": "judged through the virtual network it protects",
    "azure-native:privatedns:PrivateZone": (
        "judged through the private endpoints' DNS zone groups that point into it"
    ),
    "azure-native:privatedns:VirtualNetworkLink": "part of its private DNS zone",
    "azure-native:managedidentity:UserAssignedIdentity": (
        "judged through the role assignments granted to it and the CMK settings that use it"
    ),
    "azure-native:cognitiveservices:RaiPolicy": (
        "judged as the content filter a model deployment must name "
        "(cognitiveservices-deployment-require-rai-policy)"
    ),
    "azure-native:search:SharedPrivateLinkResource": (
        "judged as part of its search service (deploy-search-disallow-free-tier-private-links)"
    ),
    "azure-native:dnsresolver:DnsResolver": (
        "holds only its VNet reference; judged through its endpoints' subnets "
        "(deploy-dnsresolver-require-delegated-subnet)"
    ),
    "azure-native:dnsresolver:DnsForwardingRuleset": (
        "holds only its outbound endpoint reference; judged through its forwarding rules"
    ),
    "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink": (
        "holds only the linked VNet's reference; part of its forwarding ruleset"
    ),
    "azure-native:compute:VirtualMachineExtension": (
        "part of its virtual machine, which the compute-vm-* rules judge (the Entra login "
        "extension needs the VM's managed identity, compute-vm-require-managed-identity)"
    ),
}
"""Types no rule judges on their own, each with the relation that covers it. Keep it short: a
type that holds a security setting needs a rule (README, "Adding a rule")."""

REGISTERED_IN_EVERY_SUBSCRIPTION = frozenset({"Microsoft.Resources", "Microsoft.Authorization"})
"""Resource providers Azure registers in every subscription, so preflight does not check them
(https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types)."""


def managed_azure_native(plan: Plan) -> list[Registration]:
    return [r for r in plan.custom_resources if r.type.startswith("azure-native:")]


def judged_type(registration: Registration) -> str:
    """The type the pack judges: a generic resource counts as the typed resource it creates."""
    return normalise(registration.type, registration.inputs)[0]


def namespace(registration: Registration) -> str:
    if registration.type == RESOURCE_GROUP:
        return "Microsoft.Resources"
    if registration.type == GENERIC_RESOURCE:
        return str(registration.inputs["resourceProviderNamespace"])
    return ARM_PATHS[registration.type].namespace


def full_arm_type(registration: Registration) -> str:
    if registration.type == RESOURCE_GROUP:
        return "Microsoft.Resources/subscriptions/resourceGroups"
    if registration.type == GENERIC_RESOURCE:
        return str(generic_arm_type(registration.inputs))
    return str(arm_type(registration.type))


def example_registrations() -> list[tuple[str, Registration]]:
    return [(stack, r) for stack in EXAMPLE_STACKS for r in managed_azure_native(planned(stack))]


def all_registrations() -> list[tuple[str, Registration]]:
    insecure = [("insecure", r) for r in managed_azure_native(insecure_plan())]
    return example_registrations() + insecure


def problems(found: Iterable[tuple[str, str]], missing: str) -> str:
    """One line per (type, stacks that plan it)."""
    by_type: dict[str, set[str]] = {}
    for stack, token in found:
        by_type.setdefault(token, set()).add(stack)
    return "\n".join(
        f"{token} (planned by {', '.join(sorted(stacks))}): {missing}"
        for token, stacks in sorted(by_type.items())
    )


def test_every_planned_type_has_a_catalogue_row() -> None:
    missing = [
        (stack, judged_type(r))
        for stack, r in all_registrations()
        if judged_type(r) not in SERVICES and judged_type(r) != GENERIC_RESOURCE
    ]
    assert not missing, problems(
        missing,
        "no catalogue row; add a Service row to SERVICES in policies/services.py "
        "(docs/adding-a-service.md, step 5)",
    )


def test_every_type_the_example_stacks_create_has_a_validated_arm_path() -> None:
    missing = [
        (stack, r.type)
        for stack, r in example_registrations()
        if r.type not in ARM_PATHS and r.type not in (RESOURCE_GROUP, GENERIC_RESOURCE)
    ]
    assert not missing, problems(
        missing,
        "no validated ARM path; give its row in SERVICES in policies/services.py an "
        "arm=ArmPath(...) with validated=True, and vendor its type definitions "
        "(docs/adding-a-service.md, steps 5-8)",
    )


def test_every_type_the_insecure_fixture_plans_has_an_arm_path() -> None:
    missing = [
        (stack, r.type)
        for stack, r in all_registrations()
        if arm_path(r.type) is None and r.type not in (RESOURCE_GROUP, GENERIC_RESOURCE)
    ]
    assert not missing, problems(
        missing,
        "no ARM path; give its row in SERVICES in policies/services.py an arm=ArmPath(...)",
    )


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_preflight_checks_the_provider_and_a_write_of_every_type_the_stack_deploys(
    stack: str,
) -> None:
    target = stack_target(load_stack_file(stack), planner=PLANNER)
    providers = {p.casefold() for p in (*target.providers, *REGISTERED_IN_EVERY_SUBSCRIPTION)}
    actions = {action.casefold() for action in target.actions}
    missing = [
        (stack, f"{r.type} in {namespace(r)}")
        for r in managed_azure_native(planned(stack))
        if namespace(r).casefold() not in providers
        or f"{full_arm_type(r)}/write".casefold() not in actions
    ]
    assert not missing, problems(
        missing,
        "preflight checks neither its provider nor its write action; the derivation in "
        "hlz/preflight/target.py leaves it out",
    )


def has_diagnostics_decision(token: str) -> bool:
    row = SERVICES.get(token)
    return row is not None and isinstance(row.diagnostics, Logged | NotLogged)


def test_every_planned_type_has_a_diagnostics_decision() -> None:
    missing = [
        (stack, judged_type(r))
        for stack, r in all_registrations()
        if not has_diagnostics_decision(judged_type(r))
    ]
    assert not missing, problems(
        missing,
        "no diagnostics decision; its row in SERVICES in policies/services.py needs "
        "diagnostics=Logged(where its diagnostic setting goes) or NotLogged(why none is needed)",
    )


def test_every_planned_type_is_judged_by_a_rule_or_listed_as_judged_by_relations() -> None:
    missing = [
        (stack, judged_type(r))
        for stack, r in all_registrations()
        if judged_type(r) not in JUDGED_ONLY_BY_RELATIONS
        and not any(rule.judges(judged_type(r)) for rule in ALL_RULES)
    ]
    assert not missing, problems(
        missing,
        "no rule judges it; add one (README, 'Adding a rule') or, if only its relations to "
        "other resources matter, list it in JUDGED_ONLY_BY_RELATIONS with the reason",
    )


def test_relation_only_types_are_not_judged_by_a_rule_and_are_planned() -> None:
    planned_types = {judged_type(r) for _, r in all_registrations()}
    stale = {
        token: [rule.id for rule in ALL_RULES if rule.judges(token)]
        for token in JUDGED_ONLY_BY_RELATIONS
    }
    assert not {t: ids for t, ids in stale.items() if ids}, "judged now; drop from the allow-list"
    assert set(JUDGED_ONLY_BY_RELATIONS) <= planned_types, sorted(
        set(JUDGED_ONLY_BY_RELATIONS) - planned_types
    )


def test_arm_id_of_an_unmapped_azure_native_type_names_the_table_to_fix() -> None:
    with pytest.raises(UnknownArmTypeError) as raised:
        arm_id("azure-native:sql:Server", {"serverName": "db"}, DEFAULT_SUBSCRIPTION_ID, "db")
    message = str(raised.value)
    assert "azure-native:sql:Server" in message
    assert "SERVICES in policies/services.py" in message


def test_planning_an_unmapped_azure_native_type_fails_instead_of_guessing_its_id(
    tmp_path: Path,
) -> None:
    program = tmp_path / "__main__.py"
    program.write_text(
        "from pulumi_azure_native import sql\n"
        "sql.Server('db', resource_group_name='rg', server_name='sqlx')\n"
    )
    stack_file = tmp_path / "Pulumi.sq.yaml"
    stack_file.write_text("config:\n  hlz:layer: my-own\n")
    # A process of its own: the SDK leaves the failed registration's future unretrieved, and
    # asyncio would log "Future exception was never retrieved" into later tests of this worker.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hlz",
            "plan",
            "sq",
            "--program",
            program,
            "--stack-file",
            stack_file,
        ],
        capture_output=True,
        text=True,
        cwd=project_root(),
        check=False,
    )
    code, err = result.returncode, result.stderr
    assert code == 3, err
    assert (
        "hlz: the stack program failed: UnknownArmTypeError: no ARM path for "
        "azure-native:sql:Server: add its row, with its provider namespace and (collection, "
        "name input) levels, to SERVICES in policies/services.py (see docs/adding-a-service.md)"
    ) in err
    assert "Traceback" not in err


def test_component_resources_keep_a_placeholder_id() -> None:
    resource_id, name = arm_id("hlz:network:HubNetwork", {}, DEFAULT_SUBSCRIPTION_ID, "hub1")
    assert resource_id.endswith("/providers/Microsoft.Network/hubNetworks/hub1")
    assert name == "hub1"


def test_unvalidated_types_get_their_real_arm_ids() -> None:
    resource_id, _ = arm_id(
        "azure-native:network:SecurityRule",
        {
            "resourceGroupName": "rg",
            "networkSecurityGroupName": "nsg",
            "securityRuleName": "allow-http",
        },
        DEFAULT_SUBSCRIPTION_ID,
        "fallback",
    )
    assert resource_id == (
        f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg/providers/"
        "Microsoft.Network/networkSecurityGroups/nsg/securityRules/allow-http"
    )
