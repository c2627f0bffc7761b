from reportqa.cli import main

main()
