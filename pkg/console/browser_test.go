package console

func closeBrowser() {}
