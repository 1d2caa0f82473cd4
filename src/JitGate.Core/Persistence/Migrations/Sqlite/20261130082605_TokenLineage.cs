using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JitGate.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TokenLineage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ParentTokenId",
                table: "api_tokens",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ParentTokenId",
                table: "api_tokens");
        }
    }
}
