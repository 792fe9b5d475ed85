# azd postdeploy hook (Windows; infra/scripts/postdeploy.sh is the same on Linux and macOS):
# Event Grid validates a webhook when its subscription is created, so the subscriptions can only
# be made once the code answering /api/webhooks/eventgrid is deployed. The first `azd up`
# provisions without them, deploys, then provisions once more with them.
$ErrorActionPreference = 'Stop'
if ($env:ENABLE_EVENT_GRID_SUBSCRIPTIONS -eq 'true') {
  Write-Host 'Event Grid subscriptions already enabled.'
  exit 0
}
Write-Host 'Code deployed: creating the Event Grid subscriptions (second provision).'
azd env set ENABLE_EVENT_GRID_SUBSCRIPTIONS true
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
azd provision --no-prompt
exit $LASTEXITCODE
