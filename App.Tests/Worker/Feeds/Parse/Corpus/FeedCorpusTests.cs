using App.Worker.Feeds;

namespace App.Tests.Worker.Feeds.Parse.Corpus;

/// <summary>Every fixture of the corpus through the product's parser, against the expectations table.</summary>
public sealed class FeedCorpusTests
{
    public static TheoryData<string> Files() => new(FeedCorpus.Expectations.Select(e => e.File));

    [Fact]
    public void Corpus_HasAtLeastFortyFixtures_EachWithAnExpectation()
    {
        var files = Directory.GetFiles(FeedCorpus.Folder).Select(f => Path.GetFileName(f)!).Where(f => f != "expectations.tsv").Order().ToList();
        Assert.True(files.Count >= 40, $"only {files.Count} fixtures");
        Assert.Equal(files, FeedCorpus.Expectations.Select(e => e.File).Order().ToList());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixture_ParsesAsExpected(string file)
    {
        var expected = FeedCorpus.Expectation(file);
        if (expected.IsError)
        {
            var e = Assert.Throws<FeedException>(() => FeedCorpus.Parse(file));
            Assert.StartsWith(expected.ErrorPrefix, e.Message);
            Assert.False(e.Retryable);
            return;
        }

        var feed = FeedCorpus.Parse(file);

        Assert.Equal(expected.Items, feed.Items.Count);
        if (expected.Items == 0)
        {
            return;
        }
        var first = feed.Items[0];
        Assert.Equal(expected.FirstTitle, first.Title);
        Assert.Equal(expected.FirstLink, first.Link);
        Assert.Equal(expected.FirstPublished, first.PublishedAt);
        Assert.All(feed.Items, i => Assert.True(i.PublishedAt is null || i.PublishedAt.Value.Kind == DateTimeKind.Utc));
    }
}
