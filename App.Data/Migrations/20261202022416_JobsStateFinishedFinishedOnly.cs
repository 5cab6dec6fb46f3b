using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobsStateFinishedFinishedOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Jobs_StateFinished",
                table: "Jobs");

            migrationBuilder.CreateIndex(
                name: "IX_Jobs_StateFinished",
                table: "Jobs",
                columns: new[] { "State", "FinishedAt" },
                filter: "\"FinishedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Jobs_StateFinished",
                table: "Jobs");

            migrationBuilder.CreateIndex(
                name: "IX_Jobs_StateFinished",
                table: "Jobs",
                columns: new[] { "State", "FinishedAt" });
        }
    }
}
