namespace JitGate.Core.Features.Requests;

public static class RequestStatus
{
    public const string Pending = "pendingApproval";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Canceled = "canceled";
    /// <summary>Nobody decided it within the project's pending-request lifetime.</summary>
    public const string Expired = "expired";
    public static readonly IReadOnlyList<string> All = [Pending, Approved, Rejected, Canceled, Expired];
}

public static class StepStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Skipped = "skipped";
}
