using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Airlock.Dashboard.Tests;

/// <summary>
/// Debian's headless Chromium driven through its chromedriver (apt-get install chromium chromium-driver; .ci/run
/// installs them). Selenium is pointed at both binaries, so it never downloads a browser or a driver.
/// </summary>
internal sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverDirectory = "/usr/bin";
    public const string DriverName = "chromedriver";
    public const string Missing = "Chromium and chromedriver are not installed (apt-get install --no-install-recommends chromium chromium-driver; .ci/run installs them)";

    private Browser(ChromeDriver driver, Uri address)
    {
        Driver = driver;
        Address = address;
    }

    public static bool Available => File.Exists(ChromiumPath) && File.Exists(Path.Combine(DriverDirectory, DriverName));

    public ChromeDriver Driver { get; }

    public Uri Address { get; }

    public static Browser Open(Uri address)
    {
        var service = ChromeDriverService.CreateDefaultService(DriverDirectory, DriverName);
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1360,1000", "--force-device-scale-factor=1", "--lang=en-US");
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(10);
        return new Browser(driver, address);
    }

    public void Go(string path) => Driver.Navigate().GoToUrl(new Uri(Address, path));

    /// <summary>Signs in through the sample's form, as a person would.</summary>
    public void SignIn(string user, string password)
    {
        Go("/airlock/");
        Assert.EndsWith("/login", new Uri(Driver.Url).AbsolutePath, StringComparison.Ordinal);
        Driver.FindElement(By.Id("user")).SendKeys(user);
        Driver.FindElement(By.Id("password")).SendKeys(password);
        Driver.FindElement(By.Id("sign-in")).Click();
        Until(() => new Uri(Driver.Url).AbsolutePath == "/airlock/", "the dashboard after signing in");
        Assert.Equal(user, Driver.FindElement(By.Id("user-name")).Text);
    }

    public void Until(Func<bool> condition, string what, int seconds = 30)
    {
        DateTime until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (StaleElementReferenceException)
            {
                // The page changed under the check; look again.
            }
            catch (NoSuchElementException)
            {
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Waited {seconds} s for {what}; the page is {Driver.Url}.");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Fails if the page opened a JavaScript dialog: an injected <c>alert</c> would.</summary>
    public void AssertNoAlert()
    {
        try
        {
            string? text = Driver.SwitchTo().Alert().Text;
            Assert.Fail("The page opened an alert: " + text);
        }
        catch (NoAlertPresentException)
        {
        }
    }

    /// <summary>
    /// Saves a screenshot beside the test results, and into docs/images when AIRLOCK_UPDATE_DOCS=1 (as the hostile
    /// suite regenerates docs/security.md), so an ordinary test run leaves the repository as it was.
    /// </summary>
    public void Screenshot(string name)
    {
        Screenshot shot = ((ITakesScreenshot)Driver).GetScreenshot() ?? throw new InvalidOperationException("The browser returned no screenshot.");
        shot.SaveAsFile(Path.Combine(AppContext.BaseDirectory, name));
        if (Environment.GetEnvironmentVariable("AIRLOCK_UPDATE_DOCS") == "1")
        {
            shot.SaveAsFile(Path.Combine(RepositoryRoot(), "docs", "images", name));
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests do not run inside the repository: cannot find Sdk.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fact that needs Chromium and chromedriver: skipped, saying what to install, when they are absent.</summary>
internal sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Browser.Available)
        {
            Skip = Browser.Missing;
        }
    }
}
