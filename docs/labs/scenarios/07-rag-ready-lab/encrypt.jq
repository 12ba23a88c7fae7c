# Fill a search object template (index, data source, indexer) with what the lab stack exports:
#   jq --slurpfile outputs OUTPUTS.json -f encrypt.jq TEMPLATE.json
# OUTPUTS.json is the stack's outputs: `.hlz.outputs` of an offline plan, or
# `pulumi stack output --json` once the lab is deployed (the same keys).
#
# Every object gets the lab's customer-managed key: the service enforces CMK and refuses an
# object without it. No keyVaultKeyVersion: the lab's keys rotate, and an object without a
# version follows the latest one. A blob data source connects with the service's managed
# identity (ResourceId=...; no account key, no SAS).
($outputs[0]) as $lab
| ($lab.searchIndexEncryptionKey
    // error("the outputs have no searchIndexEncryptionKey: is hlz:search set on this lab?"))
    as $key
| .encryptionKey = {
    keyVaultUri: $key.keyVaultUri,
    keyVaultKeyName: $key.keyVaultKeyName,
    identity: {
      "@odata.type": "#Microsoft.Azure.Search.DataUserAssignedIdentity",
      userAssignedIdentity: $key.userAssignedIdentity
    }
  }
| if .type == "azureblob"
  then .credentials.connectionString = "ResourceId=\($lab.storageAccountId);"
  else .
  end
