using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class FeedAddedUrl : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AddedUrl",
                table: "Feeds",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Feeds_AddedUrl",
                table: "Feeds",
                column: "AddedUrl",
                filter: "\"AddedUrl\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Feeds_AddedUrl",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "AddedUrl",
                table: "Feeds");
        }
    }
}
