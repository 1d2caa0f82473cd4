using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JitGate.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditSinksAndSlackOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_sinks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    Url = table.Column<string>(type: "TEXT", nullable: false),
                    ProtectedOptions = table.Column<string>(type: "TEXT", nullable: true),
                    Cursor = table.Column<long>(type: "INTEGER", nullable: false),
                    LastDeliveredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", nullable: true),
                    LastErrorAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Errors = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_sinks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "slack_outbound",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProtectedUrl = table.Column<string>(type: "TEXT", nullable: false),
                    BodyJson = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DeliveredAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_slack_outbound", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_slack_outbound_Status_NextAttemptAt",
                table: "slack_outbound",
                columns: new[] { "Status", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_sinks");

            migrationBuilder.DropTable(
                name: "slack_outbound");
        }
    }
}
