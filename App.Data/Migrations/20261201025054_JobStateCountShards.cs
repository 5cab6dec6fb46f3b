using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobStateCountShards : Migration
    {
        // SQLite cannot change a primary key, so the table is rebuilt. By hand, not by EF Core's
        // operations: EF defers its rebuild to the end of the migration, after the trigger is
        // created again, and the rename fails while a trigger names the table it replaces. One
        // writer at a time on SQLite: every count stays in its row 0, and so does the trigger's.
        private const string Rebuild = """
            DROP TRIGGER IF EXISTS "TR_Jobs_CountOnDelete";
            CREATE TABLE "ef_temp_JobStateCounts" (
                "State" TEXT NOT NULL,
                "Shard" INTEGER NOT NULL,
                "Count" INTEGER NOT NULL,
                CONSTRAINT "PK_JobStateCounts" PRIMARY KEY ("State", "Shard")
            );
            INSERT INTO "ef_temp_JobStateCounts" ("State", "Shard", "Count") SELECT "State", 0, "Count" FROM "JobStateCounts";
            DROP TABLE "JobStateCounts";
            ALTER TABLE "ef_temp_JobStateCounts" RENAME TO "JobStateCounts";
            CREATE TRIGGER "TR_Jobs_CountOnDelete" AFTER DELETE ON "Jobs"
            WHEN OLD."State" IN ('succeeded', 'failed', 'cancelled')
            BEGIN
                UPDATE "JobStateCounts" SET "Count" = "Count" - 1 WHERE "State" = OLD."State" AND "Shard" = 0;
            END;
            """;

        private const string RebuildBack = """
            DROP TRIGGER IF EXISTS "TR_Jobs_CountOnDelete";
            CREATE TABLE "ef_temp_JobStateCounts" (
                "State" TEXT NOT NULL CONSTRAINT "PK_JobStateCounts" PRIMARY KEY,
                "Count" INTEGER NOT NULL
            );
            INSERT INTO "ef_temp_JobStateCounts" ("State", "Count") SELECT "State", SUM("Count") FROM "JobStateCounts" GROUP BY "State";
            DROP TABLE "JobStateCounts";
            ALTER TABLE "ef_temp_JobStateCounts" RENAME TO "JobStateCounts";
            CREATE TRIGGER "TR_Jobs_CountOnDelete" AFTER DELETE ON "Jobs"
            WHEN OLD."State" IN ('succeeded', 'failed', 'cancelled')
            BEGIN
                UPDATE "JobStateCounts" SET "Count" = "Count" - 1 WHERE "State" = OLD."State";
            END;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Rebuild);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(RebuildBack);
    }
}
