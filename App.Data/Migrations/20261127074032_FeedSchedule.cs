using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class FeedSchedule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ConsecutiveFailures",
                table: "Feeds",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "NextRefreshAt",
                table: "Feeds",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Feeds_NextRefreshAt",
                table: "Feeds",
                column: "NextRefreshAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Feeds_NextRefreshAt",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "ConsecutiveFailures",
                table: "Feeds");

            migrationBuilder.DropColumn(
                name: "NextRefreshAt",
                table: "Feeds");
        }
    }
}
