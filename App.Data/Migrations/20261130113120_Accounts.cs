using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class Accounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "UserId",
                table: "JobBatches",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Users",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Username = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false, collation: "NOCASE"),
                    PasswordHash = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    IsAdmin = table.Column<bool>(type: "INTEGER", nullable: false),
                    SecurityStamp = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    KeyHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastUsedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiKeys_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Subscriptions",
                columns: table => new
                {
                    UserId = table.Column<long>(type: "INTEGER", nullable: false),
                    FeedId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Subscriptions", x => new { x.UserId, x.FeedId });
                    table.ForeignKey(
                        name: "FK_Subscriptions_Feeds_FeedId",
                        column: x => x.FeedId,
                        principalTable: "Feeds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Subscriptions_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StarredItems",
                columns: table => new
                {
                    UserId = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    FeedId = table.Column<long>(type: "INTEGER", nullable: false),
                    StarredAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StarredItems", x => new { x.UserId, x.ItemId });
                    table.ForeignKey(
                        name: "FK_StarredItems_FeedItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "FeedItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_StarredItems_Subscriptions_UserId_FeedId",
                        columns: x => new { x.UserId, x.FeedId },
                        principalTable: "Subscriptions",
                        principalColumns: new[] { "UserId", "FeedId" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UnreadItems",
                columns: table => new
                {
                    UserId = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    FeedId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UnreadItems", x => new { x.UserId, x.ItemId });
                    table.ForeignKey(
                        name: "FK_UnreadItems_FeedItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "FeedItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_UnreadItems_Subscriptions_UserId_FeedId",
                        columns: x => new { x.UserId, x.FeedId },
                        principalTable: "Subscriptions",
                        principalColumns: new[] { "UserId", "FeedId" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_JobBatches_UserId",
                table: "JobBatches",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_KeyHash",
                table: "ApiKeys",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_UserId",
                table: "ApiKeys",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_StarredItems_ItemId",
                table: "StarredItems",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_StarredItems_UserId_FeedId",
                table: "StarredItems",
                columns: new[] { "UserId", "FeedId" });

            migrationBuilder.CreateIndex(
                name: "IX_Subscriptions_FeedId",
                table: "Subscriptions",
                column: "FeedId");

            migrationBuilder.CreateIndex(
                name: "IX_UnreadItems_ItemId",
                table: "UnreadItems",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_UnreadItems_UserId_FeedId_ItemId",
                table: "UnreadItems",
                columns: new[] { "UserId", "FeedId", "ItemId" });

            migrationBuilder.CreateIndex(
                name: "IX_Users_Username",
                table: "Users",
                column: "Username",
                unique: true);

            // An install that had feeds before accounts keeps them: they become the subscriptions of
            // an administrator "admin" without a password (who cannot sign in), with the read marks
            // they had, and own the imports. The web process gives that account a password at start
            // (Auth:AdminPassword, or a generated one printed on the console).
            migrationBuilder.Sql("""
                INSERT INTO "Users" ("Username", "PasswordHash", "IsAdmin", "SecurityStamp", "CreatedAt")
                SELECT 'admin', NULL, 1, lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now')
                WHERE EXISTS (SELECT 1 FROM "Feeds") OR EXISTS (SELECT 1 FROM "JobBatches");
                """);
            migrationBuilder.Sql("""
                INSERT INTO "Subscriptions" ("UserId", "FeedId", "Title", "CreatedAt")
                SELECT u."Id", f."Id", NULL, f."CreatedAt" FROM "Feeds" AS f, "Users" AS u WHERE u."Username" = 'admin';
                """);
            migrationBuilder.Sql("""
                INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
                SELECT u."Id", i."Id", i."FeedId" FROM "FeedItems" AS i, "Users" AS u
                WHERE u."Username" = 'admin' AND i."ReadAt" IS NULL;
                """);
            migrationBuilder.Sql("""
                UPDATE "JobBatches" SET "UserId" = (SELECT "Id" FROM "Users" WHERE "Username" = 'admin');
                """);

            migrationBuilder.DropIndex(
                name: "IX_FeedItems_Unread",
                table: "FeedItems");

            migrationBuilder.DropColumn(
                name: "ReadAt",
                table: "FeedItems");

            migrationBuilder.AddForeignKey(
                name: "FK_JobBatches_Users_UserId",
                table: "JobBatches",
                column: "UserId",
                principalTable: "Users",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_JobBatches_Users_UserId",
                table: "JobBatches");

            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "StarredItems");

            migrationBuilder.DropTable(
                name: "UnreadItems");

            migrationBuilder.DropTable(
                name: "Subscriptions");

            migrationBuilder.DropTable(
                name: "Users");

            migrationBuilder.DropIndex(
                name: "IX_JobBatches_UserId",
                table: "JobBatches");

            migrationBuilder.DropColumn(
                name: "UserId",
                table: "JobBatches");

            migrationBuilder.AddColumn<DateTime>(
                name: "ReadAt",
                table: "FeedItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_FeedItems_Unread",
                table: "FeedItems",
                column: "FeedId",
                filter: "\"ReadAt\" IS NULL");
        }
    }
}
