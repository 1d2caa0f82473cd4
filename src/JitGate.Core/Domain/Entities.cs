namespace JitGate.Core.Domain;

/// <summary>A person who signs in to JitGate.</summary>
public sealed class User
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public required string WorkspaceRole { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A named set of users; bindings to a group apply to every member.</summary>
public sealed class Group
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<GroupMember> Members { get; set; } = [];
}

public sealed class GroupMember
{
    public long GroupId { get; set; }
    public long UserId { get; set; }
}

/// <summary>A bearer token; only its SHA-256 is stored.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class EnvironmentEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public bool Protected { get; set; }
}

public sealed class Project
{
    public required string Id { get; set; }
    public required string Title { get; set; }
    public bool AllowSelfApproval { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Instance
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Engine { get; set; }
    public required string EnvironmentId { get; set; }
    public string? Path { get; set; }
    public string? Host { get; set; }
    public int? Port { get; set; }
    public string? Username { get; set; }
    public string? ProtectedPassword { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class DatabaseEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string InstanceId { get; set; }
    public string? ProjectId { get; set; }
    public required string EnvironmentId { get; set; }
    public DateTimeOffset SyncedAt { get; set; }
    public List<DatabaseTable> Tables { get; set; } = [];
}

public sealed class DatabaseTable
{
    public long Id { get; set; }
    public required string DatabaseId { get; set; }
    public required string Schema { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    /// <summary>Columns as JSON: [{name, type}].</summary>
    public required string ColumnsJson { get; set; }
}

/// <summary>One principal holding one project role, optionally narrowed and time-limited.</summary>
public sealed class Binding
{
    public long Id { get; set; }
    /// <summary>Null for a workspace binding, which applies to every project.</summary>
    public string? ProjectId { get; set; }
    /// <summary>"user" or "group".</summary>
    public required string PrincipalType { get; set; }
    public long PrincipalId { get; set; }
    public required string Role { get; set; }
    /// <summary>The scope as JSON ({databases, tables}); null means every database.</summary>
    public string? ScopeJson { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public long? RevokedBy { get; set; }
    /// <summary>When the expiry job recorded that this binding ran out (once).</summary>
    public DateTimeOffset? ExpiryRecordedAt { get; set; }
    public required string Source { get; set; }
    public string? Reason { get; set; }
    public long CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An append-only record of something that happened.</summary>
public sealed class AuditRecord
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public long? ActorId { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Resource { get; set; }
    public string? DatabaseId { get; set; }
    public required string Outcome { get; set; }
    public string? RemoteAddress { get; set; }
    public required string DetailJson { get; set; }
}

/// <summary>A workspace-wide setting stored as text.</summary>
public sealed class WorkspaceSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}
