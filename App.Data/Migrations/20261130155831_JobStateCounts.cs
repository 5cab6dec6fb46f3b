using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobStateCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "JobStateCounts",
                columns: table => new
                {
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JobStateCounts", x => x.State);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Jobs_Retrying",
                table: "Jobs",
                column: "RunAt",
                filter: "\"State\" = 'pending' AND \"LastError\" IS NOT NULL");

            // The finished states' counts, as the jobs table has them now; from here the queue's
            // writes and this trigger (rows deleted by any statement) keep them.
            migrationBuilder.Sql("""
                INSERT INTO "JobStateCounts" ("State", "Count")
                SELECT s.value, (SELECT COUNT(*) FROM "Jobs" WHERE "State" = s.value)
                FROM json_each('["succeeded","failed","cancelled"]') AS s;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Jobs_CountOnDelete" AFTER DELETE ON "Jobs"
                WHEN OLD."State" IN ('succeeded', 'failed', 'cancelled')
                BEGIN
                    UPDATE "JobStateCounts" SET "Count" = "Count" - 1 WHERE "State" = OLD."State";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_Jobs_CountOnDelete";""");

            migrationBuilder.DropTable(
                name: "JobStateCounts");

            migrationBuilder.DropIndex(
                name: "IX_Jobs_Retrying",
                table: "Jobs");
        }
    }
}
