using JitGate.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace JitGate.Core.Features.Catalog;

public sealed class ListEnvironments(JitGateDb db)
{
    public async Task<List<EnvironmentDto>> HandleAsync(CancellationToken ct) =>
        await db.Environments.AsNoTracking().OrderBy(e => e.Id)
            .Select(e => new EnvironmentDto(e.Id, e.Name, e.Protected) { MaxAccessDuration = e.MaxAccessDuration }).ToListAsync(ct);
}
