using App.Web.Search;

namespace App.Tests.Web.Search;

/// <summary>The box's text is read once and written out for FTS5 and for to_tsquery with the same meaning.</summary>
public sealed class SearchQueryTests
{
    [Theory]
    [InlineData("database", "\"database\"", "'database'")]
    [InlineData("datab*", "\"datab\"*", "'datab':*")]
    [InlineData("guide index*", "\"guide\" \"index\"*", "'guide' & 'index':*")]
    [InlineData("tomato OR tuning", "\"tomato\" OR \"tuning\"", "'tomato' | 'tuning'")]
    [InlineData("a AND b* NOT c", "\"a\" AND \"b\"* NOT \"c\"", "'a' & 'b':* & !'c'")]
    [InlineData("\"guide to\" e-mail e-ma*", "\"guide to\" \"e mail\" \"e ma\"*", "('guide' <-> 'to') & ('e' <-> 'mail') & ('e' <-> 'ma':*)")]
    [InlineData("it's (x) 'y' \\z", "\"it s\" \"x\" \"y\" \"z\"", "('it' <-> 's') & 'x' & 'y' & 'z'")]
    [InlineData("or and not*", "\"or\" \"and\" \"not\"*", "'or' & 'and' & 'not':*")]
    [InlineData("a*b (c*) d-* *e", "\"a b\" \"c\" \"d\" \"e\"", "('a' <-> 'b') & 'c' & 'd' & 'e'")]
    public void Parse_WritesTheSameSearchForEitherEngine(string text, string fts5, string tsQuery)
    {
        var query = SearchQuery.Parse(text);

        Assert.NotNull(query);
        Assert.Null(query.Error);
        Assert.Equal(fts5, query.ToFts5());
        Assert.Equal(tsQuery, query.ToTsQuery());
    }

    [Theory]
    [InlineData("OR")]
    [InlineData("tuning OR")]
    [InlineData("NOT tuning")]
    [InlineData("a AND NOT b")]
    [InlineData("a OR -- ")]
    public void Parse_SaysWhy_WhenAnOperatorLacksAWordOnASide(string text)
    {
        var query = SearchQuery.Parse(text);

        Assert.NotNull(query);
        Assert.Contains("could not be read near", query.Error);
    }

    [Theory]
    [InlineData("datab", false)]
    [InlineData("dat*", false)]
    [InlineData("data*", true)]
    [InlineData("\"data base\" OR e-data*", true)]
    public void HasLongPrefix_WhenAPrefixIsLongerThanTheIndexKeeps(string text, bool expected)
        => Assert.Equal(expected, SearchQuery.Parse(text)!.HasLongPrefix);

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("-- ** \"\"")]
    public void Parse_IsNull_WhenThereIsNoWord(string? text) => Assert.Null(SearchQuery.Parse(text));
}
