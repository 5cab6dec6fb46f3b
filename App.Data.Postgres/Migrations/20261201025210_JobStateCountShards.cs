using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace App.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class JobStateCountShards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_JobStateCounts",
                table: "JobStateCounts");

            migrationBuilder.AddColumn<int>(
                name: "Shard",
                table: "JobStateCounts",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddPrimaryKey(
                name: "PK_JobStateCounts",
                table: "JobStateCounts",
                columns: new[] { "State", "Shard" });

            // Each state's count split over 16 rows (JobStateCount.Shards); a session adds to the
            // row of its backend, so concurrent completions do not wait on one row's lock.
            migrationBuilder.Sql("""
                INSERT INTO "JobStateCounts" ("State", "Shard", "Count")
                SELECT s.state, n, 0
                FROM unnest(ARRAY['succeeded', 'failed', 'cancelled']) AS s(state), generate_series(1, 15) AS n;
                CREATE OR REPLACE FUNCTION jobs_count_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "JobStateCounts" SET "Count" = "Count" - 1 WHERE "State" = OLD."State" AND "Shard" = pg_backend_pid() % 16;
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE "JobStateCounts" AS c SET "Count" = (SELECT SUM(a."Count") FROM "JobStateCounts" AS a WHERE a."State" = c."State")
                WHERE c."Shard" = 0;
                DELETE FROM "JobStateCounts" WHERE "Shard" <> 0;
                CREATE OR REPLACE FUNCTION jobs_count_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "JobStateCounts" SET "Count" = "Count" - 1 WHERE "State" = OLD."State";
                    RETURN NULL;
                END $$;
                """);

            migrationBuilder.DropPrimaryKey(
                name: "PK_JobStateCounts",
                table: "JobStateCounts");

            migrationBuilder.DropColumn(
                name: "Shard",
                table: "JobStateCounts");

            migrationBuilder.AddPrimaryKey(
                name: "PK_JobStateCounts",
                table: "JobStateCounts",
                column: "State");
        }
    }
}
