using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class FeedSettingsAndArticles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "FetchOriginalContent",
                table: "Subscriptions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Disabled",
                table: "Feeds",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "RefreshIntervalMinutes",
                table: "Feeds",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UserAgent",
                table: "Feeds",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ArticleFetchedAt",
                table: "FeedItems",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ArticleHtml",
                table: "FeedItems",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FetchOriginalContent",
                table: "Subscriptions");

            migrationBuilder.DropColumn(
                name: "Disabled",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "RefreshIntervalMinutes",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "UserAgent",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "ArticleFetchedAt",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "ArticleHtml",
                table: "FeedItems");
        }
    }
}
