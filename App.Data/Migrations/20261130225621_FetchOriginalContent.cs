using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class FetchOriginalContent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "FetchOriginalContent",
                table: "Subscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ArticleFetchedAt",
                table: "FeedItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ArticleHtml",
                table: "FeedItems",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FetchOriginalContent",
                table: "Subscriptions");

            migrationBuilder.DropColumn(
                name: "ArticleFetchedAt",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "ArticleHtml",
                table: "FeedItems");
        }
    }
}
