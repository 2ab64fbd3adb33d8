"""FluentCRM Webhooks sidecar: the API, the delivery log and the signed, retried deliveries."""

__version__ = "0.1.0"
