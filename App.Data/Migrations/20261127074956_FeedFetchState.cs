using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class FeedFetchState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ETag",
                table: "Feeds",
                type: "TEXT",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IconUrl",
                table: "Feeds",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastModified",
                table: "Feeds",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "EnclosureLength",
                table: "FeedItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EnclosureType",
                table: "FeedItems",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EnclosureUrl",
                table: "FeedItems",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Summary",
                table: "FeedItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "UpdatedAt",
                table: "FeedItems",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ETag",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "IconUrl",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "LastModified",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "EnclosureLength",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "EnclosureType",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "EnclosureUrl",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "Summary",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "FeedItems");
        }
    }
}
