using App.Tests.Support;

namespace App.Tests.Web.Monitoring;

/// <summary>The tests' Prometheus text reader is strict: what it accepts, a scraper accepts.</summary>
public sealed class PrometheusTextTests
{
    private const string Valid = """
        # HELP jobs_total Jobs.
        # TYPE jobs_total counter
        jobs_total{type="a",path="x\\y\"z"} 3
        jobs_total{type="b"} 4
        # TYPE run_seconds histogram
        run_seconds_sum{type="a"} 1.5
        run_seconds_count{type="a"} 2
        run_seconds_bucket{type="a",le="0.5"} 1
        run_seconds_bucket{type="a",le="+Inf"} 2

        """;

    [Fact]
    public void Parse_ReadsSamplesLabelsAndTypes()
    {
        var text = PrometheusText.Parse(Valid);

        Assert.Equal(7, text.Sum("jobs_total"));
        Assert.Equal(3, text.Value("jobs_total", "path=x\\y\"z"));
        Assert.Equal("histogram", text.TypeOf("run_seconds"));
        Assert.Equal(2, text.Value("run_seconds_count", "type=a"));
    }

    [Theory]
    [InlineData("jobs_total{type=\"a\"} three")]
    [InlineData("jobs total 3")]
    [InlineData("jobs_total{type=a} 3")]
    [InlineData("jobs_total{type=\"b\"} 5")]
    [InlineData("# TYPE jobs_total gauge")]
    [InlineData("jobs_total{type=\"c\"} -1")]
    public void Parse_RefusesABadLine(string line) =>
        Assert.Throws<FormatException>(() => PrometheusText.Parse(
            Valid.Replace("jobs_total{type=\"b\"} 4\n", "jobs_total{type=\"b\"} 4\n" + line + "\n")));

    [Fact]
    public void Parse_RefusesAHistogramWhoseBucketsDoNotAddUp() =>
        Assert.Throws<FormatException>(() => PrometheusText.Parse(Valid.Replace("le=\"+Inf\"} 2", "le=\"+Inf\"} 3")));

    [Fact]
    public void Parse_RefusesAFamilySplitInTwo() =>
        Assert.Throws<FormatException>(() => PrometheusText.Parse(Valid + "jobs_total{type=\"c\"} 1\n"));
}
