namespace JitGate.Core.Features.Webhooks;

public static class WebhookTypes
{
    public const string Slack = "slack";
    public const string Teams = "teams";
    public const string Generic = "generic";
    public static readonly IReadOnlyList<string> All = [Slack, Teams, Generic];
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}
