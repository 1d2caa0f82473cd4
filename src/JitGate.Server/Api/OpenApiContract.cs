using System.Globalization;
using System.Text;
using JitGate.Server.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace JitGate.Server.Api;

/// <summary>
/// Makes the OpenAPI document a contract clients can be generated from: the ways to authenticate
/// (bearer token, console cookie, Slack's signature) declared and applied per operation, problem+json
/// answers declared where the code can give them, an operationId on every operation, and a server URL
/// without a trailing slash (Redocly's recommended rules).
/// </summary>
internal static class OpenApiContract
{
    public const string BearerScheme = "bearer";
    public const string CookieScheme = "consoleSession";
    public const string SlackScheme = "slackSignature";

    private const string ProblemJson = "application/problem+json";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Identity"] = "Sign-up, sign-in, users and groups.",
        ["Catalog"] = "Environments, projects, registered database servers and their databases.",
        ["Bindings"] = "Role bindings: who has which project role, on what, until when.",
        ["Access requests"] = "Asking for access, and approving, rejecting or canceling the asking.",
        ["Query"] = "Running read-only statements with the caller's access.",
        ["Audit"] = "The append-only audit trail and where it is streamed to.",
        ["Settings"] = "Workspace settings, risk rules and approval flows.",
        ["Events"] = "The event outbox that webhooks are fed from.",
        ["Integrations"] = "Webhooks, Slack, personal tokens and service accounts.",
    };

    /// <summary>Declares what an endpoint (or every endpoint of a group) answers as problem+json (RFC 9457).</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses) builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [ProblemJson]));
        return builder;
    }

    /// <summary>Marks an endpoint as called by Slack, authenticated by Slack's request signature rather than a JitGate token.</summary>
    public static RouteHandlerBuilder SignedBySlack(this RouteHandlerBuilder builder) => builder.WithMetadata(SlackSigned.Instance);

    public static OpenApiOptions AddJitGateContract(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "JitGate API";
            document.Info.Description = "Just-in-time database access: request, approve, query, revoke, audit. " +
                "Errors are RFC 9457 problem details (application/problem+json) whose type ends in a stable slug.";
            foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
            {
                [BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "opaque",
                    Description = "A token from POST /api/v1/auth/login, a personal access token, or a service account's token.",
                },
                [CookieScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Cookie,
                    Name = SessionCookie.CookieName,
                    Description = "The web console's session. State-changing calls made with it also need the X-JitGate-Csrf header and a same-origin Origin.",
                },
                [SlackScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-Slack-Signature",
                    Description = "Slack's request signature (v0=HMAC-SHA256 of \"v0:<X-Slack-Request-Timestamp>:<body>\" with the app's signing secret), " +
                        "as described on Slack's \"Verifying requests from Slack\" page; requests more than 5 minutes old are refused.",
                },
            };
            var used = (document.Tags ?? new HashSet<OpenApiTag>()).Select(t => t.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
            document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Where(t => used.Contains(t.Key)).Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            var property = context.JsonPropertyInfo;
            // JitGate reads strings and times through its own converters (text rules, RFC 3339 with an
            // offset), which leave the generated schema empty; it says what the wire carries instead.
            if (schema.Type is null && (type == typeof(string) || type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?)))
            {
                var nullable = Nullable.GetUnderlyingType(type) is not null || (property is not null && (property.IsGetNullable || property.IsSetNullable));
                schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
                if (type != typeof(string)) schema.Format = "date-time";
            }
            // A property that may be null may also be left out: the server reads it as null. Marking it
            // required would make generated clients send every optional field.
            if (property is null && context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && schema.Required is { Count: > 0 } required)
            {
                foreach (var p in context.JsonTypeInfo.Properties)
                {
                    if (Nullable.GetUnderlyingType(p.PropertyType) is not null || (!p.PropertyType.IsValueType && p.IsSetNullable)) required.Remove(p.Name);
                }
            }
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var document = context.Document;
            OpenApiSecurityRequirement Requirement(string scheme) => new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
            if (metadata.OfType<SlackSigned>().Any())
            {
                operation.Security = [Requirement(SlackScheme)];
            }
            else if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                // Either one: two requirement objects are alternatives.
                operation.Security = [Requirement(BearerScheme), Requirement(CookieScheme)];
            }
            else
            {
                operation.Security = [new OpenApiSecurityRequirement()];
            }
            operation.OperationId ??= OperationIdFor(context.Description.HttpMethod, context.Description.RelativePath);
            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>A stable name for an operation that was given none: "post /api/v1/x/{id}/y" becomes "postXByIdY".</summary>
    private static string OperationIdFor(string? method, string? path)
    {
        var name = new StringBuilder((method ?? "call").ToLowerInvariant());
        foreach (var segment in (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s is not ("api" or "v1")))
        {
            var word = segment.StartsWith('{') ? "By" + segment.Trim('{', '}').Split(':')[0] : segment;
            foreach (var part in word.Split('-', StringSplitOptions.RemoveEmptyEntries))
            {
                name.Append(char.ToUpper(part[0], CultureInfo.InvariantCulture)).Append(part.AsSpan(1));
            }
        }
        return name.ToString();
    }

    /// <summary>Endpoint metadata: authenticated by Slack's signature.</summary>
    private sealed class SlackSigned
    {
        public static readonly SlackSigned Instance = new();
    }
}
