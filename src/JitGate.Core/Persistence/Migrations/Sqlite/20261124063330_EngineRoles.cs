using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JitGate.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EngineRoles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "engine_roles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DatabaseId = table.Column<string>(type: "TEXT", nullable: false),
                    UserId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    RoleName = table.Column<string>(type: "TEXT", nullable: false),
                    ProtectedPassword = table.Column<string>(type: "TEXT", nullable: false),
                    CredentialExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AppliedFingerprint = table.Column<string>(type: "TEXT", nullable: true),
                    ReconciledAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_engine_roles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_engine_roles_databases_DatabaseId",
                        column: x => x.DatabaseId,
                        principalTable: "databases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_engine_roles_DatabaseId_UserId_Kind",
                table: "engine_roles",
                columns: new[] { "DatabaseId", "UserId", "Kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_engine_roles_RoleName",
                table: "engine_roles",
                column: "RoleName",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "engine_roles");
        }
    }
}
