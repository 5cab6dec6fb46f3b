using App.Data.Feeds;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ItemSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Adding a stored generated column rewrites FeedItems, computing every item's vector.
            migrationBuilder.Sql(ItemSearchSql.PostgresCreate);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ItemSearchSql.PostgresDrop);
        }
    }
}
