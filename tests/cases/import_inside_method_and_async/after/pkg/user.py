class Service:
    async def run(self):
        from pkg.new_mod import New as Old
        async with Old() as engine:
            return engine
