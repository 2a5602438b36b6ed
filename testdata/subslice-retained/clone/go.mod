module example.com/clone

go 1.21
