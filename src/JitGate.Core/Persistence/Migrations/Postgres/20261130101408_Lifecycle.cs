using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace JitGate.Core.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Lifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BreakGlassJson",
                table: "projects",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IncidentGrace",
                table: "projects",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PendingRequestTtl",
                table: "projects",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReasonPattern",
                table: "projects",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MaxAccessDuration",
                table: "environments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "BreakGlass",
                table: "bindings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "IncidentId",
                table: "bindings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StartRecordedAt",
                table: "bindings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StartsAt",
                table: "bindings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AutoApproveWhen",
                table: "approval_flows",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DecideBy",
                table: "access_requests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IncidentId",
                table: "access_requests",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StartsAt",
                table: "access_requests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "break_glass_reviews",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    BindingId = table.Column<long>(type: "bigint", nullable: false),
                    ProjectId = table.Column<string>(type: "text", nullable: false),
                    HolderId = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    OpenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EscalatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DecidedBy = table.Column<long>(type: "bigint", nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Comment = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_break_glass_reviews", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    Title = table.Column<string>(type: "text", nullable: true),
                    Url = table.Column<string>(type: "text", nullable: true),
                    Source = table.Column<string>(type: "text", nullable: false),
                    OpenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incidents", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_bindings_IncidentId",
                table: "bindings",
                column: "IncidentId");

            migrationBuilder.CreateIndex(
                name: "IX_bindings_StartsAt",
                table: "bindings",
                column: "StartsAt");

            migrationBuilder.CreateIndex(
                name: "IX_access_requests_Status_DecideBy",
                table: "access_requests",
                columns: new[] { "Status", "DecideBy" });

            migrationBuilder.CreateIndex(
                name: "IX_break_glass_reviews_BindingId",
                table: "break_glass_reviews",
                column: "BindingId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_break_glass_reviews_HolderId_Status",
                table: "break_glass_reviews",
                columns: new[] { "HolderId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_break_glass_reviews_ProjectId_Status",
                table: "break_glass_reviews",
                columns: new[] { "ProjectId", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "break_glass_reviews");

            migrationBuilder.DropTable(
                name: "incidents");

            migrationBuilder.DropIndex(
                name: "IX_bindings_IncidentId",
                table: "bindings");

            migrationBuilder.DropIndex(
                name: "IX_bindings_StartsAt",
                table: "bindings");

            migrationBuilder.DropIndex(
                name: "IX_access_requests_Status_DecideBy",
                table: "access_requests");

            migrationBuilder.DropColumn(
                name: "BreakGlassJson",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "IncidentGrace",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "PendingRequestTtl",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "ReasonPattern",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "MaxAccessDuration",
                table: "environments");

            migrationBuilder.DropColumn(
                name: "BreakGlass",
                table: "bindings");

            migrationBuilder.DropColumn(
                name: "IncidentId",
                table: "bindings");

            migrationBuilder.DropColumn(
                name: "StartRecordedAt",
                table: "bindings");

            migrationBuilder.DropColumn(
                name: "StartsAt",
                table: "bindings");

            migrationBuilder.DropColumn(
                name: "AutoApproveWhen",
                table: "approval_flows");

            migrationBuilder.DropColumn(
                name: "DecideBy",
                table: "access_requests");

            migrationBuilder.DropColumn(
                name: "IncidentId",
                table: "access_requests");

            migrationBuilder.DropColumn(
                name: "StartsAt",
                table: "access_requests");
        }
    }
}
