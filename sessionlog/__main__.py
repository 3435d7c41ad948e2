from sessionlog.cli import main

main()
