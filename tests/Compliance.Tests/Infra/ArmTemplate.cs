using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Compliance.Tests.Infra;

/// <summary>
/// A compiled ARM template (the JSON Bicep emits), with its modules as nested templates: enough reading to check what the
/// Bicep declares without deploying it. Expressions stay strings such as <c>[parameters('name')]</c>.
/// </summary>
public sealed partial class ArmTemplate(JsonObject json, string path)
{
    /// <summary>The template's JSON.</summary>
    public JsonObject Json { get; } = json;

    /// <summary>Where this template sits: <c>main</c>, or <c>main/storage</c> for a module.</summary>
    public string Path { get; } = path;

    public JsonObject Parameters => Json["parameters"]?.AsObject() ?? [];

    public JsonObject Variables => Json["variables"]?.AsObject() ?? [];

    public JsonObject Outputs => Json["outputs"]?.AsObject() ?? [];

    /// <summary>
    /// The resources this template declares (not <c>existing</c> references), whether the template lists them (language
    /// version 1) or names them (2.0).
    /// </summary>
    public IEnumerable<JsonObject> Resources => (Json["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject named => named.Select(p => p.Value!.AsObject()),
        _ => [],
    }).Where(r => r["existing"]?.GetValue<bool>() != true);

    /// <summary>The modules this template calls, by deployment name.</summary>
    public IEnumerable<ModuleCall> Modules => Resources
        .Where(r => (string?)r["type"] == "Microsoft.Resources/deployments")
        .Select(r => new ModuleCall(
            (string)r["name"]!,
            r["properties"]!["parameters"]!.AsObject(),
            new ArmTemplate(r["properties"]!["template"]!.AsObject(), $"{Path}/{(string)r["name"]!}"),
            r["dependsOn"] is JsonArray dependsOn ? dependsOn.Select(d => d!.GetValue<string>()).ToList() : []));

    /// <summary>This template and every nested one.</summary>
    public IEnumerable<ArmTemplate> SelfAndModules => Modules.SelectMany(m => m.Template.SelfAndModules).Prepend(this);

    public ModuleCall Module(string name) =>
        Modules.SingleOrDefault(m => m.Name == name) ?? throw new InvalidOperationException($"{Path} calls no module named '{name}'.");

    /// <summary>The resources of a type, e.g. <c>Microsoft.Storage/storageAccounts</c>.</summary>
    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The one resource of a type.</summary>
    public JsonObject One(string type)
    {
        var found = OfType(type);
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"{Path} declares {found.Count} resources of type {type}, not one.");
    }

    /// <summary>
    /// The value of <c>[variables('name')]</c> or <c>[variables('name').property]</c> in this template; any other value as
    /// it is.
    /// </summary>
    public JsonNode? Resolve(JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text) && VariableReference().Match(text) is { Success: true } match)
        {
            var variable = Variables[match.Groups["name"].Value]
                ?? throw new InvalidOperationException($"{Path} has no variable '{match.Groups["name"].Value}'.");
            return match.Groups["property"].Success ? variable[match.Groups["property"].Value] : variable;
        }

        return value;
    }

    /// <summary>
    /// Whether a resource is deployed when the template's bool parameters have these values: its <c>condition</c> read for
    /// the shapes Bicep emits for <c>if (flag)</c> and <c>if (!flag)</c>; any other condition throws rather than guess.
    /// </summary>
    public static bool IsDeployed(JsonObject resource, IReadOnlyDictionary<string, bool> parameters)
    {
        var condition = (string?)resource["condition"];
        if (condition is null)
        {
            return true;
        }

        var match = BoolCondition().Match(condition);
        if (!match.Success)
        {
            throw new InvalidOperationException($"A condition this reader does not evaluate: {condition}");
        }

        var value = parameters.TryGetValue(match.Groups["name"].Value, out var given)
            ? given
            : throw new InvalidOperationException($"No value given for '{match.Groups["name"].Value}' ({condition}).");
        return match.Groups["not"].Success ? !value : value;
    }

    [GeneratedRegex(@"^\[variables\('(?<name>[A-Za-z0-9_]+)'\)(\.(?<property>[A-Za-z0-9_]+))?\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[(?<not>not\()?parameters\('(?<name>[A-Za-z0-9_]+)'\)(?(not)\))\]$")]
    private static partial Regex BoolCondition();
}

/// <summary>A module call: the values passed to its parameters, its compiled template and what it waits for.</summary>
public sealed partial record ModuleCall(string Name, JsonObject Arguments, ArmTemplate Template, IReadOnlyList<string> DependsOn)
{
    /// <summary>The modules (deployments) ARM deploys before this one, by deployment name.</summary>
    public IEnumerable<string> DependsOnModules => DependsOn
        .Select(d => DeploymentReference().Match(d))
        .Where(m => m.Success)
        .Select(m => m.Groups["name"].Value);

    /// <summary>The expression or value passed to a parameter.</summary>
    public JsonNode? Argument(string parameter) =>
        Arguments[parameter]?["value"] ?? throw new InvalidOperationException($"Module '{Name}' is not given '{parameter}'.");

    [GeneratedRegex(@"'Microsoft\.Resources/deployments', '(?<name>[^']+)'\)\]$")]
    private static partial Regex DeploymentReference();
}
