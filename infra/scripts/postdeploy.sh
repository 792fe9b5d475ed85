#!/bin/sh
# azd postdeploy hook: Event Grid validates a webhook when its subscription is created, so the
# subscriptions can only be made once the code answering /api/webhooks/eventgrid is deployed.
# The first `azd up` provisions without them, deploys, then provisions once more with them.
set -eu
if [ "${ENABLE_EVENT_GRID_SUBSCRIPTIONS:-false}" = "true" ]; then
  echo "Event Grid subscriptions already enabled."
  exit 0
fi
echo "Code deployed: creating the Event Grid subscriptions (second provision)."
azd env set ENABLE_EVENT_GRID_SUBSCRIPTIONS true
azd provision --no-prompt
