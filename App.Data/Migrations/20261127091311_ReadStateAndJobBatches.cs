using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReadStateAndJobBatches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "BatchId",
                table: "Jobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReadAt",
                table: "FeedItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "JobBatches",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JobBatches", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Jobs_Batch",
                table: "Jobs",
                column: "BatchId",
                filter: "\"BatchId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_FeedItems_Unread",
                table: "FeedItems",
                column: "FeedId",
                filter: "\"ReadAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "JobBatches");

            migrationBuilder.DropIndex(
                name: "IX_Jobs_Batch",
                table: "Jobs");

            migrationBuilder.DropIndex(
                name: "IX_FeedItems_Unread",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "BatchId",
                table: "Jobs");

            migrationBuilder.DropColumn(
                name: "ReadAt",
                table: "FeedItems");
        }
    }
}
