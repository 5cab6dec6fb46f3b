using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobsDueByType : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Jobs_Due",
                table: "Jobs");

            migrationBuilder.CreateIndex(
                name: "IX_Jobs_DueByType",
                table: "Jobs",
                columns: new[] { "Type", "Priority", "RunAt", "Id" },
                descending: new[] { false, true, false, false },
                filter: "\"State\" = 'pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Jobs_DueByType",
                table: "Jobs");

            migrationBuilder.CreateIndex(
                name: "IX_Jobs_Due",
                table: "Jobs",
                columns: new[] { "Priority", "RunAt", "Id" },
                descending: new[] { true, false, false },
                filter: "\"State\" = 'pending'");
        }
    }
}
