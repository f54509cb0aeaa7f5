"""The command a report shows to make it again: the run's own parameters, quoted for a shell."""

from incident_lib.report.rerun import rerun_command


def test_the_command_names_the_runs_subject_and_leaves_out_what_is_unset():
    command = rerun_command(
        "diagnose.ipynb", source="incidents/oom-drill", namespace="apps", pod="web-1", window=""
    )
    assert str(command) == (
        "incident-lab run notebooks/diagnose.ipynb "
        "-p source incidents/oom-drill -p namespace apps -p pod web-1"
    )


def test_lists_are_comma_separated_and_odd_values_quoted():
    command = rerun_command("sweep.ipynb", source="my bundle", namespaces=["apps", "default"])
    assert (
        str(command)
        == "incident-lab run notebooks/sweep.ipynb -p source 'my bundle' -p namespaces apps,default"
    )
    assert command._repr_markdown_().endswith(f"```\n{command}\n```")
