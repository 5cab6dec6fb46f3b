using App.Data.Feeds;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class ItemSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContentText",
                table: "FeedItems",
                type: "TEXT",
                nullable: true);

            // Items stored before this have no plain text of their content (SQL cannot strip HTML):
            // their excerpt (plain, up to 240 characters) stands in, and the next refresh that still
            // lists an item writes its whole text, which the update trigger indexes.
            migrationBuilder.Sql("""
                UPDATE "FeedItems" SET "ContentText" = "Excerpt" WHERE "ContentText" IS NULL;
                """);
            migrationBuilder.Sql(ItemSearchSql.CreateTable);
            migrationBuilder.Sql(ItemSearchSql.CreateTriggers);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ItemSearchSql.Drop);
            migrationBuilder.DropColumn(
                name: "ContentText",
                table: "FeedItems");
        }
    }
}
