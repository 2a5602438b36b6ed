module example.com/clone119

go 1.19
