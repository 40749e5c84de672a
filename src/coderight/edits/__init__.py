"""The claim edit catalog and the scrubber (see `coderight.edits.engine`, `coderight.edits.rules`)."""
