from kanat.cli import entry

entry()
