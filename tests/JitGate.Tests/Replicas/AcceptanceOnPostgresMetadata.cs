using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;
using JitGate.Tests.Requests;

namespace JitGate.Tests.Replicas;

/// <summary>The core story's acceptance tests, with PostgreSQL as the metadata store.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StoryTestsOnPostgresMetadata(PostgresFixture pg) : StoryTests(PostgresMetadata.NewApp(pg));

/// <summary>The access-request acceptance tests, with PostgreSQL as the metadata store.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AccessRequestTestsOnPostgresMetadata(PostgresFixture pg) : AccessRequestTests(PostgresMetadata.NewApp(pg));
