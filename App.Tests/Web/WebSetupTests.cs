using App.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace App.Tests.Web;

public sealed class WebSetupTests
{
    [Fact]
    public void ListenOnPortVariable_ListensOnAllInterfaces_WhenPortIsSet()
    {
        var builder = WebApplication.CreateBuilder(["--PORT=5123"]);

        builder.ListenOnPortVariable();

        Assert.Equal("http://0.0.0.0:5123", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Theory]
    [InlineData("http")]
    [InlineData("0")]
    [InlineData("70000")]
    public void ListenOnPortVariable_Throws_WhenPortIsNotAPortNumber(string port)
    {
        var builder = WebApplication.CreateBuilder([$"--PORT={port}"]);

        Assert.Throws<InvalidOperationException>(() => builder.ListenOnPortVariable());
    }
}
