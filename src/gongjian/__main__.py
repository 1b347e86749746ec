from gongjian.cli import main

main()
