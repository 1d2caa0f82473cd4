using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JitGate.Core.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PrincipalIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_engine_roles_UserId",
                table: "engine_roles",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_bindings_PrincipalType_PrincipalId",
                table: "bindings",
                columns: new[] { "PrincipalType", "PrincipalId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_engine_roles_UserId",
                table: "engine_roles");

            migrationBuilder.DropIndex(
                name: "IX_bindings_PrincipalType_PrincipalId",
                table: "bindings");
        }
    }
}
