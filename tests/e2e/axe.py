"""Run axe-core (ui/node_modules/axe-core, the npm package) in the app's page and
return its serious and critical violations. WebDriver's scripts run outside the page's
CSP, so the page itself never loads axe."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "ui" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(driver) -> list[dict]:
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.axe.run(document, {resultTypes: ['violations']})"
        "  .then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact,"
        "    help: v.help, nodes: v.nodes.map((n) => n.target.join(' '))}))),"
        "        (e) => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]
