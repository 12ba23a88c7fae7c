"""The stack file ``hlz lab new`` writes (``str.format`` fields; ``{{``/``}}`` are braces).

Every key of the AI-lab config appears, set or commented out: ``tests/test_lab_new.py`` checks
that against the config models, and that each commented block, uncommented, is valid config.
The usage assumptions of ``hlz:cost`` are written from ``CostAssumptions`` itself.
"""

from __future__ import annotations

from hlz.cost.assumptions import CostAssumptions

LAB_TEMPLATE = """\
# AI lab "{lab}", {profile} profile: a spoke of the {landing_zone} landing zone.
# Written by `hlz lab new`; every key is documented in docs/configuration.md.
# Check it with `hlz plan {stack}`; the commented blocks are optional services and templates.
config:
  # Which program this stack runs: ai_lab (a lab team's spoke).
  hlz:layer: ai_lab
  # The landing zone's profile (a lab's must match it).
  hlz:profile: {profile}
  # The landing-zone stack this lab is a spoke of; its outputs are read with a StackReference.
  hlz:landingZoneStack: {landing_zone}
  # Lab team name: its entry in {landing_zone}'s hlz:spokes allocation table.
  hlz:lab: {lab}
  # One of the allowed US regions (PHI stays in the US).
  hlz:location: {location}
  # Name prefix: resources are named <abbreviation>-<prefix>-<lab>[-<suffix>].
  hlz:prefix: {prefix}
  # Required on every taggable resource; data-classification is phi|confidential|internal|public.
  hlz:tags:
    owner: {owner}
    cost-center: {cost_center}
    environment: {environment}
    data-classification: {classification}
  # The block {landing_zone} allocated to {lab} from its hlz:spokeAddressPool (hlz:spokes).
  hlz:addressSpace: {block}
  # One quarter of the block each (the gateway's /27 at the start of the third).
  hlz:subnets:
    privateEndpoints: {private_endpoints}  # the AI account, Health Data Services, storage
    workloads: {workloads}  # lab compute; egress only through the hub firewall
    # With hlz:aiGateway (delegated to Microsoft.Web/serverFarms):
    # gateway: {gateway}
    # With hlz:agentService (delegated to Microsoft.App/environments); set before the
    # lab's first `pulumi up`, its size cannot change once the account uses it:
    # agents: {agents}
  # Entra groups of lab members: OpenAI User, FHIR Data Reader, DICOM Data Reader.
  hlz:memberGroupIds:
{members}
  hlz:openai:
    # AIServices is a Foundry account (projects, agents); OpenAI serves Azure OpenAI models only.
    kind: AIServices
    # Exact host names the account may call besides the lab storage account (no wildcards).
    allowedFqdns: []
    # Pattern every governance approvalReference must match (the AI governance board's tickets).
    approvalReferencePattern: "^AIGB-\\\\d{{4}}-\\\\d{{3,6}}$"
    # Custom content-filter policies by name; deployments may also use Microsoft.DefaultV2.
    contentFilters: {{}}
    #   clinical-strict:
    #     severityThreshold: Low   # Low, Medium or High: the lowest severity blocked
    #     # Prompt shields block jailbreaks and indirect prompt injection; only an override
    #     # turns them off: promptShieldOverride: {{reason: ..., expires: ...}}
    # Model deployments: none until the AI governance board approves one. Each is one entry
    # with the board's record (an expired approval stops the plan; `hlz report model-cards`):
    deployments: []
    #   - name: notes-summariser
    #     model: gpt-4o               # the model catalogue: docs/configuration.md
    #     version: "2024-11-20"
    #     sku: DataZoneStandard       # PHI stays in the US data zone
    #     capacity: 10                # thousands of tokens per minute
    #     contentFilter: Microsoft.DefaultV2
    #     # dataResidencyOverride: a Global SKU with PHI (reason, expires)
    #     governance:
    #       useCase: Summarise clinician notes for review (human in the loop)
    #       riskTier: limited         # minimal, limited or high (high: a strict custom filter)
    #       approvalReference: AIGB-0000-000
    #       approvalExpires: {approval_expires}
    #       owner: {owner}
    #       processesPhi: true
    # Foundry projects (kind AIServices): where the lab builds, evaluates and traces prompts
    # and agents; each project's groups get Azure AI User on it alone.
    projects: []
    #   - name: evaluation
    #     description: Prompt and agent evaluation for the lab
    #     memberGroupIds:
    #       - {first_member}
  # Health Data Services: FHIR R4 and DICOM, private, under the lab's keys.
  hlz:healthData:
    fhir: true
    dicom: true
    fhirDataRole: reader  # reader or contributor
    corsOrigins: []       # explicit https origins only; never '*'
  # The lab's monthly consumption budget on its resource group (required; docs/alerts.md):
  # the owners and {landing_zone}'s action group hear at 80 % and 100 % spent, 120 % forecast.
  hlz:budget:
    amount: {budget}  # per month, in the billing account's currency
    startDate: {budget_start}  # the first day of the first month deployed; keep it after
    ownerEmails:
{budget_emails}
  # Optional services: uncomment to add (docs/configuration.md).
  # Azure AI Search: private, Entra-only, customer-managed keys enforced.
  # hlz:search:
  #   sku: standard          # standard, standard2 or standard3
  #   replicaCount: 1        # 2 for the read SLA, 3 for read-write
  #   partitionCount: 1      # 1, 2, 3, 4, 6 or 12
  #   semanticSearch: disabled  # disabled, free or standard
  # The Foundry Agent Service, standard setup: it needs kind AIServices, a project, hlz:search
  # and the agents subnet; add it before the lab's first `pulumi up` (docs/foundry.md):
  # hlz:agentService:
  #   threadThroughputLimit: 3000  # RU/s of the thread store: 3000 per project
  # A hardened Linux jump host in the workloads subnet, reached through {landing_zone}'s
  # Bastion with Entra ID sign-in (docs/jump-host.md):
  # hlz:jumpHost:
  #   size: Standard_D2s_v5
  #   adminUsername: labadmin
  #   adminSshPublicKey: ssh-ed25519 AAAA... break-glass key kept offline
  #   # Shutdown: {shutdown}
  #   # autoShutdown:
  #   #   enabled: true
  #   #   time: "19:00"
  #   #   timeZone: UTC
  # An AI gateway (API Management Standard v2) in front of the account; its first
  # `pulumi up` needs creationOverride (docs/ai-gateway.md):
  # hlz:aiGateway:
  #   publisherEmail: {owner}
  #   publisherName: {lab} lab
  #   tokensPerMinute: 10000
  #   audience: api://{lab}-ai-gateway
  #   requiredGroupId: {first_member}
  #   # creationOverride: {{reason: ..., expires: ...}}
  #   # bodyLogging: {{reason: ..., expires: ..., workspaceId: ...}}  # logs prompts: ePHI
  # Usage `hlz cost {stack}` prices usage-based charges with (docs/cost.md); defaults shown:
  # hlz:cost:
{cost}
"""


def cost_lines() -> str:
    """Every usage assumption with its default, commented out, from the model itself."""
    lines = []
    for name, spec in CostAssumptions.model_fields.items():
        alias = spec.alias or name
        if spec.default is None:  # derived from the plan unless set (docs/cost.md)
            lines.append(f"  #   # {alias}: not set by default")
        else:
            lines.append(f"  #   {alias}: {spec.default!r}")
    return "\n".join(lines)
