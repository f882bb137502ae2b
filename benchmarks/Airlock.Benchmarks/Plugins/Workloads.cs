using System.Text.Json;
using Airlock.Contracts.Lesstruct;

namespace Airlock.Benchmarks.Plugins;

/// <summary>The inputs every scenario sends, the same for the generated and the hand-written path.</summary>
public static class Workloads
{
    /// <summary>The text of the publish request (non-ASCII included, sent as UTF-8).</summary>
    public const string PublishText =
        "Airlock benchmarks: publishing a post of about two hundred characters through a real WebAssembly plugin, "
        + "with hashtags and one media URL, to time the JSON round trip. Ünïcödé too ✓";

    /// <summary>The media URLs of the publish request.</summary>
    public static IReadOnlyList<string> MediaUrls { get; } = ["https://cdn.bench.example/media/launch-banner.png"];

    /// <summary>The hashtags of the publish request.</summary>
    public static IReadOnlyList<string> Hashtags { get; } = ["wasm", "dotnet", "airlock", "benchmarks"];

    /// <summary>
    /// A content item of about 1 KB whose custom fields hold words the redact plugin masks, so
    /// <c>hook_before_save</c> answers with a result (as long as the input) rather than "no change".
    /// </summary>
    public static ContentItem ContentItem { get; } = new()
    {
        ContentId = 4242,
        UserId = 7,
        Title = "Release notes: what changed in the content pipeline this week",
        Content = "The content pipeline now validates every item before it is saved, enriches custom fields from "
            + "the rates service, and redacts blocked words in reviewer notes. Saving an item runs each plugin's "
            + "before_save hook in order; a hook that makes no change answers zero and costs nothing more. "
            + "Publishing runs the after_publish hooks, whose results are ignored. Deleting asks every "
            + "before_delete hook first, and any of them may refuse. Plugins run in a sandbox with fuel, a "
            + "deadline and a memory limit, and every host call they make is checked against their manifest.",
        Tags = ["release-notes", "pipeline", "plugins", "wasm"],
        Status = "draft",
        PostType = "post",
        CustomFields = JsonSerializer.Deserialize(
            """{"reviewer_note":"Darn good release, but heck, the changelog is long.","seo_title":"Content pipeline release notes","rating":4,"flags":{"featured":true,"notes":["frak, the build is green","ship it"]}}""",
            LesstructJsonContext.Default.IReadOnlyDictionaryStringJsonElement)!,
    };

    /// <summary>
    /// The configuration of confkit's <c>line_in_file</c> task (804 bytes as sent): a 26-line
    /// <c>sshd_config</c> (630 bytes) in which the <c>PermitRootLogin</c> line is replaced, so the task
    /// changes the content, answers it whole (762 bytes) and logs one <c>info</c> line.
    /// </summary>
    public const string LineInFileConfig =
        """
        {
          "path": "/etc/ssh/sshd_config",
          "content": "# Managed by Driftless: local changes are overwritten.\nInclude /etc/ssh/sshd_config.d/*.conf\nPort 22\nAddressFamily any\nListenAddress 0.0.0.0\nHostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/ssh/ssh_host_rsa_key\nSyslogFacility AUTH\nLogLevel INFO\nLoginGraceTime 30s\nPermitRootLogin yes\nStrictModes yes\nMaxAuthTries 3\nMaxSessions 10\nPubkeyAuthentication yes\nAuthorizedKeysFile .ssh/authorized_keys\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nAllowAgentForwarding no\nAllowTcpForwarding no\nX11Forwarding no\nPrintMotd no\nClientAliveInterval 300\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
          "line": "PermitRootLogin no",
          "match": "PermitRootLogin",
          "insert_after": "LoginGraceTime",
          "state": "present"
        }
        """;

    /// <summary>
    /// The configuration of confkit's <c>render_template</c> task (681 bytes as sent): an nginx server
    /// block (508 bytes) with ten expressions over nested variables, the <c>slugify</c> filter and the
    /// <c>now</c> function (one <c>host_get_timestamp</c> call); the task answers 506 bytes and logs one
    /// <c>debug</c> line.
    /// </summary>
    public const string RenderTemplateConfig =
        """
        {
          "template": "# Managed by Driftless, rendered {{ now(\"rfc3339\") }}\nupstream {{ site.name | slugify(\"_\") }}_app {\n    server {{ upstream.host }}:{{ upstream.port }} max_fails=3;\n}\nserver {\n    listen {{ site.port }};\n    server_name {{ site.name | slugify }}.example.com;\n    root /srv/www/{{ site.name | slugify }};\n    access_log /var/log/nginx/{{ site.name | slugify }}.access.log;\n    location / {\n        proxy_pass http://{{ site.name | slugify(\"_\") }}_app;\n        proxy_set_header X-Environment {{ env }};\n    }\n}\n",
          "vars": {
            "site": {"name": "Crème Brûlée Café", "port": 8080},
            "upstream": {"host": "10.0.12.7", "port": 9000},
            "env": "production"
          },
          "strict": true
        }
        """;
}
