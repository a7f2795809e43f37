from dockerslim_lint.cli import main

main()
