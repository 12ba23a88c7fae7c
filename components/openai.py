"""Azure OpenAI for PHI workloads (HIPAA 164.312(a)(1), (a)(2)(iv), (b), (e)(1)).

| input                    | derived                                                            |
|--------------------------|--------------------------------------------------------------------|
| (always)                 | custom subdomain (needed by private endpoints and Entra auth),     |
|                          | local (key) auth disabled, public access Disabled, ACL Deny,       |
|                          | outbound restricted to allowed_fqdns, customer-managed key         |
| kind AIServices          | private endpoint also registers in privatelink.services.ai.azure.com; |
|                          | project management allowed (Foundry projects, ``components.foundry``) |
| agent_subnet_id          | (AIServices only) network injection: the Agent Service's compute   |
|                          | joins the lab spoke through that subnet (delegated to              |
|                          | Microsoft.App/environments), so agents reach the lab's private     |
|                          | endpoints and nothing public (docs/foundry.md#agent-service)       |
| content_filters          | one RAI policy each, blocking every harm category at the threshold |
| deployments              | created strictly one after another (parallel creates fail with 409) |
| member_group_ids         | "Cognitive Services OpenAI User" — call models, never read keys    |
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import pulumi
from pulumi_azure_native import cognitiveservices
from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from components.diagnostics import send_diagnostics
from components.encryption import EncryptionKey
from components.private_endpoint import connect_privately
from components.roles import grant_groups
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Override,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
    override_tags,
)
from components.specs import EntraObjectIds, ExactHostName
from policies.overrides import visible_text
from policies.vocabulary import (
    FOUNDRY_ACCOUNT_KIND,
    GOVERNANCE_TAGS,
    HARM_CATEGORIES,
    TAG_VALUE_MAX_LENGTH,
    RiskTier,
)

OPENAI_ZONES = ("privatelink.openai.azure.com", "privatelink.cognitiveservices.azure.com")
AI_SERVICES_ZONE = "privatelink.services.ai.azure.com"
PROMPT_SHIELDS = ("Jailbreak", "Indirect Attack")
AccountKind = Literal["OpenAI", "AIServices"]


# --- approval references: a small regular-expression grammar, matched in linear time ----------

APPROVAL_PATTERN_MAX_LENGTH = 100
APPROVAL_PATTERN_MAX_REPEAT = 32
_METACHARACTERS = frozenset(".^$*+?{}[]\\|()")
_PUNCTUATION = frozenset(string.punctuation)
_DIGITS = frozenset(string.digits)
_BRACES = re.compile(r"\{([0-9]{1,3})(,([0-9]{0,3}))?\}")


@dataclass(frozen=True)
class _Char:
    chars: frozenset[str]
    literal: bool
    """Written as a literal character (not a class or ``\\d``)."""


@dataclass(frozen=True)
class _Seq:
    items: tuple[_Node, ...]


@dataclass(frozen=True)
class _Alt:
    branches: tuple[_Seq, ...]


@dataclass(frozen=True)
class _Repeat:
    node: _Node
    least: int
    most: int


_Node = _Char | _Seq | _Alt | _Repeat


class ApprovalPattern:
    """A governance board's approval-reference pattern, in a grammar that cannot stall a plan.

    Grammar (``^`` ... ``$`` around the whole, at most 100 printable ASCII characters):

    | element              | written as                                    |
    |----------------------|-----------------------------------------------|
    | literal character    | ``A``, ``-``, ``_``; punctuation escaped: ``\\.`` |
    | ASCII digit          | ``\\d``                                        |
    | character class      | ``[A-Z0-9]``, ``[-_.]``, ``[\\d.]`` (not negated) |
    | group                | ``(...)`` or ``(?:...)``; alternatives only in one |
    | quantifier           | ``?``, ``{m}``, ``{m,n}`` with n <= 32          |

    Not accepted: ``.``, ``*``, ``+``, ``{m,}``, lazy quantifiers, other escapes, lookaround and
    back-references; a quantifier on a group whose content has a quantifier; a group repeated
    more than once that has alternatives. The pattern must require at least one literal
    character, so it cannot accept any reference at all.

    Matching follows every possible position at once (a set of positions per pattern element),
    so it reads each character of a reference once per element and never backtracks: the same
    answers as Python's ``re.fullmatch`` with ASCII ``\\d``, without its exponential worst case.
    """

    def __init__(self, text: str, root: _Seq):
        self.pattern = text
        self._root = root

    @classmethod
    def parse(cls, text: str) -> ApprovalPattern:
        """Raises ValueError saying what is outside the grammar, and where."""
        return cls(text, _PatternParser(text).parse())

    def fullmatch(self, reference: str) -> bool:
        return len(reference) in _ends(self._root, reference, {0})


def _ends(node: _Node, text: str, starts: set[int]) -> set[int]:
    """Positions where ``node`` can end a match started at any of ``starts``."""
    if not starts:
        return starts
    if isinstance(node, _Char):
        return {p + 1 for p in starts if p < len(text) and text[p] in node.chars}
    if isinstance(node, _Seq):
        for item in node.items:
            starts = _ends(item, text, starts)
        return starts
    if isinstance(node, _Alt):
        return set().union(*(_ends(branch, text, starts) for branch in node.branches))
    ends = set(starts) if node.least == 0 else set()
    current = starts
    for count in range(1, node.most + 1):
        current = _ends(node.node, text, current)
        if not current:
            break
        if count >= node.least:
            ends |= current
    return ends


def _has_repeat(node: _Node) -> bool:
    if isinstance(node, _Repeat):
        return True
    if isinstance(node, _Seq):
        return any(_has_repeat(item) for item in node.items)
    if isinstance(node, _Alt):
        return any(_has_repeat(branch) for branch in node.branches)
    return False


def _requires_literal(node: _Node) -> bool:
    if isinstance(node, _Char):
        return node.literal
    if isinstance(node, _Seq):
        return any(_requires_literal(item) for item in node.items)
    if isinstance(node, _Alt):
        return all(_requires_literal(branch) for branch in node.branches)
    return node.least >= 1 and _requires_literal(node.node)


class _PatternParser:
    def __init__(self, text: str):
        self.source = text
        self.text = text
        self.position = 0

    def fail(self, message: str) -> ValueError:
        source = self.source
        shown = f"'{source}'" if source.isascii() and source.isprintable() else repr(source)
        return ValueError(f"{message} (at character {self.position + 1} of {shown})")

    def peek(self) -> str | None:
        return self.text[self.position] if self.position < len(self.text) else None

    def parse(self) -> _Seq:
        source = self.source
        if len(source) > APPROVAL_PATTERN_MAX_LENGTH:
            raise ValueError(
                f"the pattern has {len(source)} characters; at most {APPROVAL_PATTERN_MAX_LENGTH}"
            )
        for index, character in enumerate(source):
            if not (character.isascii() and character.isprintable()):
                self.position = index
                raise self.fail(f"{character!r}: only printable ASCII characters are accepted")
        anchored = source.startswith("^") and source.endswith("$") and len(source) > 1
        # The body is judged first: what is wrong inside matters more than the missing anchors.
        self.position = 1 if source.startswith("^") else 0
        self.text = source[:-1] if source.endswith("$") else source
        root = self.sequence()
        if self.peek() == ")":
            raise self.fail("unbalanced ')'")
        if self.peek() == "|":
            raise self.fail("alternation only inside a group, e.g. ^(AIGB|AIRB)-\\d{4}$")
        if not anchored:
            raise ValueError(
                f"{source!r} must be anchored: start with '^' and end with '$' "
                "(e.g. ^AIGB-\\d{4}$)"
            )
        if not _requires_literal(root):
            raise ValueError(
                f"{source!r} matches references without any fixed character; require at least "
                "one literal character (e.g. a prefix such as AIGB-)"
            )
        return root

    def sequence(self) -> _Seq:
        items: list[_Node] = []
        while (character := self.peek()) is not None and character not in "|)":
            items.append(self.item())
        return _Seq(tuple(items))

    def item(self) -> _Node:
        atom = self.atom()
        quantifier = self.quantifier()
        if quantifier is None:
            return atom
        least, most, written = quantifier
        if not isinstance(atom, _Char):
            if _has_repeat(atom):
                raise self.fail(
                    f"nested quantifier: a group quantified with '{written}' cannot contain one"
                )
            if most > 1 and isinstance(atom, _Alt):
                raise self.fail(f"alternation inside a group repeated with '{written}'")
        return _Repeat(atom, least, most)

    def atom(self) -> _Node:
        character = self.peek()
        assert character is not None
        if character == "(":
            return self.group()
        if character == "[":
            return self.character_class()
        if character == "\\":
            return self.escape(in_class=False)
        if character == ".":
            raise self.fail("'.' (any character) is not accepted; use a class such as [A-Z0-9]")
        if character in "*+?{":
            raise self.fail(f"'{character}' has nothing to repeat")
        if character in "^$":
            raise self.fail(f"'{character}' only at the very start ('^') or end ('$')")
        if character in _METACHARACTERS:
            raise self.fail(f"escape '{character}' as '\\{character}'")
        self.position += 1
        return _Char(frozenset(character), literal=True)

    def escape(self, in_class: bool) -> _Char:
        escaped = self.text[self.position + 1 : self.position + 2]
        if escaped == "d":
            self.position += 2
            return _Char(_DIGITS, literal=False)
        if escaped and escaped in _PUNCTUATION:
            self.position += 2
            return _Char(frozenset(escaped), literal=not in_class)
        raise self.fail(f"'\\{escaped}' is not accepted: only \\d and escaped punctuation")

    def group(self) -> _Node:
        self.position += 1
        if self.text.startswith("?:", self.position):
            self.position += 2
        elif self.peek() == "?":
            raise self.fail(
                "'(?' constructs other than '(?:' (lookaround, names, flags) are not accepted"
            )
        branches = [self.sequence()]
        while self.peek() == "|":
            self.position += 1
            branches.append(self.sequence())
        if self.peek() != ")":
            raise self.fail("unclosed group: '(' without ')'")
        self.position += 1
        if len(branches) == 1:
            return branches[0]
        return _Alt(tuple(branches))

    def character_class(self) -> _Char:
        self.position += 1
        if self.peek() == "^":
            raise self.fail("negated classes ('[^...]') are not accepted: list what is allowed")
        chars: set[str] = set()
        while (character := self.peek()) != "]":
            if character is None:
                raise self.fail("unclosed character class: '[' without ']'")
            if character == "\\":
                chars |= self.escape(in_class=True).chars
                continue
            if character == "[":
                raise self.fail("escape '[' inside a class as '\\['")
            self.position += 1
            following = self.text[self.position : self.position + 2]
            if following[:1] == "-" and following[1:] not in ("", "]"):
                end = following[1]
                if end == "\\":
                    raise self.fail("a range ends with a plain character, e.g. [A-Z]")
                if end < character:
                    raise self.fail(f"range {character}-{end} runs backwards")
                chars |= {chr(code) for code in range(ord(character), ord(end) + 1)}
                self.position += 2
            else:
                chars.add(character)
        self.position += 1
        if not chars:
            raise self.fail("empty character class")
        return _Char(frozenset(chars), literal=False)

    def quantifier(self) -> tuple[int, int, str] | None:
        character = self.peek()
        start = self.position
        if character in ("*", "+"):
            raise self.fail(
                f"unbounded quantifier '{character}': give an upper bound, "
                f"{{m,n}} with n at most {APPROVAL_PATTERN_MAX_REPEAT}"
            )
        if character == "?":
            self.position += 1
            least, most = 0, 1
        elif character == "{":
            match = _BRACES.match(self.text, self.position)
            if match is None:
                raise self.fail("a quantifier is {m} or {m,n}; escape a literal '{' as '\\{'")
            least = int(match.group(1))
            if match.group(2) is None:
                most = least
            elif not match.group(3):
                raise self.fail(
                    f"'{match.group(0)}' has no upper bound: give one, {{m,n}} with n at most "
                    f"{APPROVAL_PATTERN_MAX_REPEAT}"
                )
            else:
                most = int(match.group(3))
            if least > most:
                raise self.fail(f"'{match.group(0)}': {least} > {most}")
            if most > APPROVAL_PATTERN_MAX_REPEAT or most == 0:
                raise self.fail(
                    f"'{match.group(0)}' repeats {most} times; between 1 and "
                    f"{APPROVAL_PATTERN_MAX_REPEAT} (at most 32)"
                )
            self.position = match.end()
        else:
            return None
        if self.peek() in ("?", "+", "*", "{"):
            raise self.fail("lazy, possessive or stacked quantifiers are not accepted")
        return least, most, self.text[start : self.position]


def _check_approval_pattern(value: str) -> str:
    ApprovalPattern.parse(value)
    return value


ApprovalPatternText = Annotated[str, AfterValidator(_check_approval_pattern)]
"""A string holding an ``ApprovalPattern`` (checked when the model is validated)."""


class ContentFilter(HlzModel):
    """A custom content-filter (RAI) policy: every harm category blocked in prompts and
    completions at or above a threshold."""

    severity_threshold: Literal["Low", "Medium", "High"] = "Medium"
    """Block content at this severity or above on every harm category (hate, sexual, violence,
    self-harm), for prompts and completions. Default: Medium."""
    prompt_shield_override: Override | None = None
    """Default: not set — jailbreak and indirect prompt-injection attacks are blocked (prompt
    shields). With an override the shields are off and the policy carries the reason as the tag
    ``hlz-override-prompt-shield``; a high-risk deployment cannot use such a filter."""

    @property
    def prompt_shield(self) -> bool:
        return self.prompt_shield_override is None


class GovernanceRecord(HlzModel):
    """The AI governance board's record for one deployment: the approval that lets it run,
    written as tags on the deployment."""

    use_case: str = Field(min_length=5, max_length=200)
    """What the deployment is approved for, in a sentence (5-200 characters; tag
    ``hlz-use-case``)."""
    risk_tier: RiskTier
    """minimal | limited | high (tag ``hlz-risk-tier``). High requires a strict custom content
    filter."""
    approval_reference: str = Field(max_length=TAG_VALUE_MAX_LENGTH)
    """The board's reference, e.g. a ticket id (tag ``hlz-approval-reference``); the stack
    checks it against ``hlz:openai.approvalReferencePattern``."""
    approval_expires: date
    """Last day the approval is valid (YYYY-MM-DD; tag ``hlz-approval-expires``); an expired
    approval is an error."""
    owner: str = Field(min_length=3, max_length=TAG_VALUE_MAX_LENGTH)
    """Accountable owner, a person or team address (at most 256 characters: a tag value; tag
    ``hlz-accountable-owner``)."""
    processes_phi: bool
    """Whether prompts or completions contain PHI (tag ``hlz-processes-phi``); PHI needs a US
    data-zone SKU."""

    @field_validator("use_case", "owner")
    @classmethod
    def _visible(cls, value: str) -> str:
        # Zero-width and format characters pass a length check but name nobody.
        if len(visible_text(value)) < 3:
            raise ValueError(
                "is made only of invisible characters (zero-width or format characters) or "
                "nearly so; write a real value"
            )
        return value

    def tags(self) -> dict[str, str]:
        values = {
            "use_case": self.use_case,
            "risk_tier": self.risk_tier,
            "approval_reference": self.approval_reference,
            "approval_expires": self.approval_expires.isoformat(),
            "owner": self.owner,
            "processes_phi": "true" if self.processes_phi else "false",
        }
        # Each value fits a tag (the fields are bounded): refused at validation, never cut here.
        return {GOVERNANCE_TAGS[fact]: value for fact, value in values.items()}


class ModelDeployment(HlzModel):
    """One model deployment on the account, with its content filter and governance record."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
    """Deployment name applications call (2-64 letters, digits, '.', '_', '-'); unique within
    the account."""
    model: str
    """Model name, e.g. ``gpt-4o`` (the stack checks it against its model catalogue)."""
    version: str
    """Model version, pinned: auto-upgrade is off, so it changes only through config; a retired
    version is rejected."""
    sku: str = "DataZoneStandard"
    """Deployment SKU. Default: DataZoneStandard — processing stays in the US data zone."""
    capacity: int = Field(strict=True, gt=0)
    """Capacity in thousands of tokens per minute: an integer > 0 (not true/false)."""
    content_filter: str
    """Content-filter (RAI) policy: Microsoft.DefaultV2 or a key of ``content_filters``.
    Required: no deployment without a content filter."""
    data_residency_override: Override | None = None
    """Required to use a Global* SKU with PHI (data may be processed outside the US); recorded as
    a tag on the deployment. Default: not set."""
    governance: GovernanceRecord
    """The governance record, required for every deployment: written as tags on the deployment
    (and a summary on the account)."""


def deployment_tags(deployment: ModelDeployment) -> dict[str, str]:
    """Tags a deployment carries besides the required ones: its data-residency override (where
    the policy pack looks for it) and its governance facts."""
    return {
        **override_tags(data_residency=deployment.data_residency_override),
        **deployment.governance.tags(),
    }


def approval_summary_tags(deployments: list[ModelDeployment]) -> dict[str, str]:
    """One account tag per deployment, so the account itself shows what was approved."""
    return {
        f"hlz-approval-{d.name}"[:512]: (
            f"{d.governance.approval_reference} until {d.governance.approval_expires}, "
            f"{d.governance.risk_tier} risk"
        )
        for d in deployments
    }


class OpenAIArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the account, policies and deployments."""
    account_name: str
    """Azure name of the account, also its custom subdomain (globally unique)."""
    endpoint_name: str
    """Azure name of the account's private endpoint."""
    kind: AccountKind = "OpenAI"
    """Default: OpenAI. AIServices also registers the endpoint in
    ``privatelink.services.ai.azure.com``."""
    encryption: EncryptionKey
    """Customer-managed key and the identity that unwraps it."""
    private_link: PrivateLinkTarget
    """Subnet of the account's private endpoint and the DNS zones it registers in (the
    OpenAI and Cognitive Services zones, plus the services.ai zone for AIServices)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the account's logs and metrics (HIPAA 164.312(b))."""
    allowed_fqdns: list[ExactHostName] = Field(min_length=1)
    """The only destinations the account may call (data-exfiltration guard): exact host names,
    no wildcards (``components.specs.fqdn_problem``)."""
    content_filters: dict[str, ContentFilter] = Field(default_factory=dict)
    """Default: {} — only built-in RAI policies. Custom policy name -> its spec;
    a deployment's ``content_filter`` may name one."""
    deployments: list[ModelDeployment] = Field(default_factory=list)
    """Default: [] — an account without deployments (a lab onboarded before its first model
    is approved). Model deployments, created one after another."""
    member_group_ids: EntraObjectIds = Field(default_factory=list)
    """Default: [] — no group is granted access. Entra group object ids granted
    Cognitive Services OpenAI User (call models, never read keys)."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""
    agent_subnet_id: StrInput | None = None
    """Default: None — no network injection. Set (``kind: AIServices``, the lab has
    hlz:agentService): the subnet, delegated to Microsoft.App/environments, the Agent Service's
    compute is injected into (``networkInjections`` scenario ``agent``, never Microsoft's
    managed network)."""

    @field_validator("agent_subnet_id")
    @classmethod
    def _agents_need_foundry(cls, value: StrInput | None, info: ValidationInfo) -> StrInput | None:
        if value is not None and info.data.get("kind") != FOUNDRY_ACCOUNT_KIND:
            raise ValueError(f"network injection for agents needs kind {FOUNDRY_ACCOUNT_KIND}")
        return value


OPENAI_API_ENDPOINT = "OpenAI Language Model Instance API"
"""The key of the OpenAI endpoint in an AIServices account's ``properties.endpoints``."""


def _openai_endpoint(properties: Any) -> str:
    """Where the account answers the OpenAI API: an OpenAI account's ``endpoint``
    (``https://<name>.openai.azure.com/``); an AIServices account lists it under
    ``endpoints``, its ``endpoint`` being ``https://<name>.cognitiveservices.azure.com/``."""
    listed = getattr(properties, "endpoints", None) or {}
    return listed.get(OPENAI_API_ENDPOINT) or getattr(properties, "endpoint", None) or ""


class OpenAI(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    """Where the account answers the OpenAI API (``https://<name>.openai.azure.com/``, whatever
    its kind)."""

    def __init__(self, name: str, args: OpenAIArgs, opts: pulumi.ResourceOptions | None = None):
        # A missing zone is a wiring error: fail before registering anything.
        foundry = args.kind == FOUNDRY_ACCOUNT_KIND
        zones = OPENAI_ZONES + ((AI_SERVICES_ZONE,) if foundry else ())
        zone_ids = args.private_link.zones(*zones)
        super().__init__("hlz:ai:OpenAI", name, None, opts)
        placement = args.placement
        key = args.encryption
        account = cognitiveservices.Account(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            kind=args.kind,
            sku=cognitiveservices.SkuArgs(name="S0"),
            identity=cognitiveservices.IdentityArgs(
                type=cognitiveservices.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[key.identity_id],
            ),
            properties=cognitiveservices.AccountPropertiesArgs(
                custom_sub_domain_name=args.account_name,
                # Foundry projects live under an AIServices account that allows them.
                allow_project_management=True if foundry else None,
                network_injections=(
                    [
                        cognitiveservices.NetworkInjectionArgs(
                            scenario=cognitiveservices.ScenarioType.AGENT,
                            subnet_arm_id=args.agent_subnet_id,
                            use_microsoft_managed_network=False,
                        )
                    ]
                    if args.agent_subnet_id is not None
                    else None
                ),
                disable_local_auth=True,
                public_network_access=cognitiveservices.PublicNetworkAccess.DISABLED,
                network_acls=cognitiveservices.NetworkRuleSetArgs(
                    default_action=cognitiveservices.NetworkRuleAction.DENY
                ),
                restrict_outbound_network_access=True,
                allowed_fqdn_list=args.allowed_fqdns,
                encryption=cognitiveservices.EncryptionArgs(
                    key_source=cognitiveservices.KeySource.MICROSOFT_KEY_VAULT,
                    key_vault_properties=cognitiveservices.KeyVaultPropertiesArgs(
                        key_name=key.key_name,
                        key_vault_uri=key.vault_uri,
                        identity_client_id=key.client_id,
                    ),
                ),
            ),
            tags=placement.tags_with(approval_summary_tags(args.deployments)),
            # The identity must be able to unwrap the key before the account is encrypted with it.
            opts=child_opts(self, depends_on=[key.key_access]),
        )
        send_diagnostics(account, args.diagnostics.workspace_id, parent=self)
        connect_privately(
            self, f"{name}-pe", placement=placement, private_link=args.private_link,
            endpoint_name=args.endpoint_name, target_id=account.id, group_id="account",
            dns_zone_ids=zone_ids,
        )  # fmt: skip

        policies = {
            policy_name: self._content_filter(name, policy_name, spec, account, placement)
            for policy_name, spec in sorted(args.content_filters.items())
        }
        previous: pulumi.Resource | None = None
        self.deployments: list[cognitiveservices.Deployment] = []
        for deployment in args.deployments:
            depends_on: list[pulumi.Resource] = [previous] if previous else []
            if deployment.content_filter in policies:
                depends_on.append(policies[deployment.content_filter])
            previous = cognitiveservices.Deployment(
                f"{name}-{deployment.name}",
                deployment_name=deployment.name,
                account_name=account.name,
                resource_group_name=placement.resource_group_name,
                sku=cognitiveservices.SkuArgs(name=deployment.sku, capacity=deployment.capacity),
                properties=cognitiveservices.DeploymentPropertiesArgs(
                    model=cognitiveservices.DeploymentModelArgs(
                        format="OpenAI", name=deployment.model, version=deployment.version
                    ),
                    rai_policy_name=deployment.content_filter,
                    # Model versions change only through a reviewed config change.
                    version_upgrade_option=cognitiveservices.DeploymentModelVersionUpgradeOption.NO_AUTO_UPGRADE,
                ),
                tags=placement.tags_with(deployment_tags(deployment)),
                # One at a time: Azure rejects concurrent deployment operations on an account.
                opts=child_opts(self, depends_on=depends_on),
            )
            self.deployments.append(previous)

        grant_groups(
            f"{name}-user",
            args.member_group_ids,
            scope=account.id,
            role="Cognitive Services OpenAI User",
            subscription_id=args.subscription_id,
            parent=self,
        )
        self.account = account
        # What the account's later children (shared private links, projects) wait for: the
        # last deployment; without deployments (a lab onboarded before its first approval),
        # the last content-filter policy, else the account itself.
        self.last_child: pulumi.Resource = (
            self.deployments[-1] if self.deployments else ([account, *policies.values()])[-1]
        )
        self.id = account.id
        self.name = account.name
        self.principal_id = key.principal_id
        self.endpoint = account.properties.apply(_openai_endpoint)
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "principal_id": self.principal_id,
                "endpoint": self.endpoint,
            }
        )

    def _content_filter(
        self,
        name: str,
        policy_name: str,
        spec: ContentFilter,
        account: cognitiveservices.Account,
        placement: Placement,
    ) -> cognitiveservices.RaiPolicy:
        filters = [
            cognitiveservices.RaiPolicyContentFilterArgs(
                name=category,
                source=source,
                severity_threshold=cognitiveservices.ContentLevel(spec.severity_threshold),
                blocking=True,
                enabled=True,
            )
            for category in HARM_CATEGORIES
            for source in (
                cognitiveservices.RaiPolicyContentSource.PROMPT,
                cognitiveservices.RaiPolicyContentSource.COMPLETION,
            )
        ]
        filters += [
            cognitiveservices.RaiPolicyContentFilterArgs(
                name=shield,
                source=cognitiveservices.RaiPolicyContentSource.PROMPT,
                blocking=spec.prompt_shield,
                enabled=spec.prompt_shield,
            )
            for shield in PROMPT_SHIELDS
        ]
        return cognitiveservices.RaiPolicy(
            f"{name}-filter-{policy_name}",
            rai_policy_name=policy_name,
            account_name=account.name,
            resource_group_name=placement.resource_group_name,
            properties=cognitiveservices.RaiPolicyPropertiesArgs(
                base_policy_name="Microsoft.DefaultV2",
                mode=cognitiveservices.RaiPolicyMode.BLOCKING,
                content_filters=filters,
            ),
            tags=placement.tags_with(override_tags(prompt_shield=spec.prompt_shield_override)),
            opts=child_opts(self),
        )
