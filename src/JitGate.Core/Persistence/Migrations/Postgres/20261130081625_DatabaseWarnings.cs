using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JitGate.Core.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DatabaseWarnings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "WarningsJson",
                table: "databases",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "WarningsJson",
                table: "databases");
        }
    }
}
